"""The local gRPC server: a thin shell over the engine."""

"""Training: voice/music base, LoRA and full fine-tune on noisy speech."""

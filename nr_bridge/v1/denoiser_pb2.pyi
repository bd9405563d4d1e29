from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SampleFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAMPLE_FORMAT_UNSPECIFIED: _ClassVar[SampleFormat]
    SAMPLE_FORMAT_F32: _ClassVar[SampleFormat]
    SAMPLE_FORMAT_I16: _ClassVar[SampleFormat]

class Stem(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEM_UNSPECIFIED: _ClassVar[Stem]
    STEM_VOICE: _ClassVar[Stem]
    STEM_NOISE: _ClassVar[Stem]
SAMPLE_FORMAT_UNSPECIFIED: SampleFormat
SAMPLE_FORMAT_F32: SampleFormat
SAMPLE_FORMAT_I16: SampleFormat
STEM_UNSPECIFIED: Stem
STEM_VOICE: Stem
STEM_NOISE: Stem

class JobConfig(_message.Message):
    __slots__ = ("sample_rate", "channels", "sample_format", "strength_db", "stems", "label", "total_frames", "source_path", "start_seconds", "end_seconds")
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    STRENGTH_DB_FIELD_NUMBER: _ClassVar[int]
    STEMS_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FRAMES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PATH_FIELD_NUMBER: _ClassVar[int]
    START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    END_SECONDS_FIELD_NUMBER: _ClassVar[int]
    sample_rate: int
    channels: int
    sample_format: SampleFormat
    strength_db: float
    stems: _containers.RepeatedScalarFieldContainer[Stem]
    label: str
    total_frames: int
    source_path: str
    start_seconds: float
    end_seconds: float
    def __init__(self, sample_rate: _Optional[int] = ..., channels: _Optional[int] = ..., sample_format: _Optional[_Union[SampleFormat, str]] = ..., strength_db: _Optional[float] = ..., stems: _Optional[_Iterable[_Union[Stem, str]]] = ..., label: _Optional[str] = ..., total_frames: _Optional[int] = ..., source_path: _Optional[str] = ..., start_seconds: _Optional[float] = ..., end_seconds: _Optional[float] = ...) -> None: ...

class AudioBlock(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class DenoiseRequest(_message.Message):
    __slots__ = ("config", "audio")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    config: JobConfig
    audio: AudioBlock
    def __init__(self, config: _Optional[_Union[JobConfig, _Mapping]] = ..., audio: _Optional[_Union[AudioBlock, _Mapping]] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("fraction", "seconds_done", "eta_seconds")
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    SECONDS_DONE_FIELD_NUMBER: _ClassVar[int]
    ETA_SECONDS_FIELD_NUMBER: _ClassVar[int]
    fraction: float
    seconds_done: float
    eta_seconds: float
    def __init__(self, fraction: _Optional[float] = ..., seconds_done: _Optional[float] = ..., eta_seconds: _Optional[float] = ...) -> None: ...

class StemBlock(_message.Message):
    __slots__ = ("stem", "start_frame", "data")
    STEM_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    stem: Stem
    start_frame: int
    data: bytes
    def __init__(self, stem: _Optional[_Union[Stem, str]] = ..., start_frame: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class Summary(_message.Message):
    __slots__ = ("frames", "duration_seconds", "real_time_factor", "model_version")
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REAL_TIME_FACTOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    frames: int
    duration_seconds: float
    real_time_factor: float
    model_version: str
    def __init__(self, frames: _Optional[int] = ..., duration_seconds: _Optional[float] = ..., real_time_factor: _Optional[float] = ..., model_version: _Optional[str] = ...) -> None: ...

class SourceFormat(_message.Message):
    __slots__ = ("sample_rate", "channels", "total_frames")
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FRAMES_FIELD_NUMBER: _ClassVar[int]
    sample_rate: int
    channels: int
    total_frames: int
    def __init__(self, sample_rate: _Optional[int] = ..., channels: _Optional[int] = ..., total_frames: _Optional[int] = ...) -> None: ...

class DenoiseResponse(_message.Message):
    __slots__ = ("progress", "stem", "summary", "source")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STEM_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    progress: Progress
    stem: StemBlock
    summary: Summary
    source: SourceFormat
    def __init__(self, progress: _Optional[_Union[Progress, _Mapping]] = ..., stem: _Optional[_Union[StemBlock, _Mapping]] = ..., summary: _Optional[_Union[Summary, _Mapping]] = ..., source: _Optional[_Union[SourceFormat, _Mapping]] = ...) -> None: ...

class GetInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("model_version", "stage", "parameters", "config_json", "model_sample_rate", "max_block_bytes", "workers", "queue_size")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    MODEL_SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    MAX_BLOCK_BYTES_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    stage: str
    parameters: int
    config_json: str
    model_sample_rate: int
    max_block_bytes: int
    workers: int
    queue_size: int
    def __init__(self, model_version: _Optional[str] = ..., stage: _Optional[str] = ..., parameters: _Optional[int] = ..., config_json: _Optional[str] = ..., model_sample_rate: _Optional[int] = ..., max_block_bytes: _Optional[int] = ..., workers: _Optional[int] = ..., queue_size: _Optional[int] = ...) -> None: ...

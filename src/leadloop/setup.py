"""`leadloop init`: a working directory with a config, editable templates and a database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from .config import CONFIG_NAME, load_config
from .errors import InputError
from .resources import builtin_path
from .store import Store


def init_directory(directory: Path, *, config_text: str | None = None) -> Iterator[tuple[Path, bool]]:
    """Create what is missing in `directory`; yields (path, created). Never overwrites."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{directory}: cannot create the directory ({err.strerror})") from None
    if not directory.is_dir():
        raise InputError(f"{directory}: is not a directory")
    config_path = directory / CONFIG_NAME
    if config_path.exists():
        yield config_path, False
    else:
        text = config_text or builtin_path("example.toml").read_text(encoding="utf-8")
        config_path.write_text(text, encoding="utf-8")
        yield config_path, True
    config = load_config(config_path, for_init=True)
    shipped = builtin_path("templates")
    for source in sorted(shipped.rglob("*")):
        if source.is_dir():
            continue
        target = config.templates_dir / source.relative_to(shipped)
        if target.exists():
            yield target, False
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        yield target, True
    existed = config.database_path.exists()
    Store.open(config.database_path, config.cadence).close()
    yield config.database_path, not existed

"""The string-input tests call every mutation through the experts' test app (its own outbox,
clean-up at the end of the module)."""

from tests.experts.conftest import outbox_dir, ss_settings, web

__all__ = ["outbox_dir", "ss_settings", "web"]

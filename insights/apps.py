from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from . import files
        from .fragments import connect_signals
        from .hooks import connect

        connect_signals()
        files.connect_signals()
        connect()

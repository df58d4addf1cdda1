from django.apps import AppConfig


class CmaConfig(AppConfig):
    name = "cma"
    verbose_name = "CMA Portal"

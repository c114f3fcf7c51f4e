from django.apps import AppConfig


class AbmConfig(AppConfig):
    name = "abm"
    verbose_name = "Beacon ABM"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in: two factors, lockout, sign-in log"

    def ready(self):
        from . import signals  # noqa: F401  (connects the sign-in log to Django's and django-axes' signals)

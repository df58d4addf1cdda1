from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # members announces each new membership term with a signal because it
        # may not import billing (billing sits above it); the receiver issues
        # the term's invoice in the same transaction. See members.signals.
        from members.signals import term_started

        from . import receivers

        term_started.connect(receivers.invoice_for_new_term, dispatch_uid="billing.invoice_for_new_term")

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # members announces each new membership term with a signal because it
        # may not import billing (billing sits above it); the receiver issues
        # the term's invoice in the same transaction. See members.signals.
        from members.signals import membership_staff_panels, term_started

        from . import receivers

        term_started.connect(receivers.invoice_for_new_term, dispatch_uid="billing.invoice_for_new_term")
        # Staff's membership page shows the invoices (members can't read them).
        membership_staff_panels.connect(receivers.invoices_panel, dispatch_uid="billing.invoices_panel")

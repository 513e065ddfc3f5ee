from django.apps import AppConfig


class CaseReviewConfig(AppConfig):
    name = "casereview"
    verbose_name = "ASB Case Review"

    def ready(self):
        from cases import hooks

        from . import intake, threshold

        # At every report: explain the Case Review at a second report within six months, and record a case
        # whose victim has met the threshold (cases calls this inside intake's transaction).
        hooks.on_report_taken(intake.report_taken)
        # At every online diary entry: where the rules count diary entries as reports, the same threshold flag.
        hooks.on_diary_entry_taken(threshold.diary_entry_taken)

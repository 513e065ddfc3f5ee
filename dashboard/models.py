"""Pre-aggregated dashboard figures: one row per closed London month and filter combination (issue 16)."""

from django.db import models


class MonthlyFigure(models.Model):
    """The period figures of one closed month for one filter combination (a CUBE over officer, category and risk,
    by channel). Sentinels: officer 0 = all officers, -1 = unassigned; category 0 = all; risk '' and channel '' = all.
    Plain integers, not foreign keys: a row describes the past and must not block deleting a user or category."""

    month = models.DateField()
    officer_id = models.IntegerField()
    category_id = models.BigIntegerField()
    risk_level = models.CharField(max_length=20)
    channel = models.CharField(max_length=10)
    reports_total = models.IntegerField(default=0)
    reports_online = models.IntegerField(default=0)
    reports_phone = models.IntegerField(default=0)
    first_contact_total = models.IntegerField(default=0)
    first_contact_met = models.IntegerField(default=0)
    updates_standard_total = models.IntegerField(default=0)
    updates_standard_met = models.IntegerField(default=0)
    updates_high_total = models.IntegerField(default=0)
    updates_high_met = models.IntegerField(default=0)
    # Updates given in the month (by met_at): the sum of their gaps in microseconds, and how many.
    gap_microseconds = models.BigIntegerField(default=0)
    gap_count = models.IntegerField(default=0)
    survey_total = models.IntegerField(default=0)
    survey_satisfied = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["officer_id", "category_id", "risk_level", "channel", "month"],
                                    name="one_monthly_figure_per_filter"),
        ]
        indexes = [models.Index(fields=["month"], name="monthly_figure_month_idx")]

    def __str__(self):
        return f"{self.month:%B %Y} officer {self.officer_id} category {self.category_id} {self.risk_level} {self.channel}"


class BuiltMonth(models.Model):
    """A closed month whose rows exist. built_at is null while it is being (re)built: readers compute it live."""

    month = models.DateField(primary_key=True)
    built_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)

    def __str__(self):
        return f"{self.month:%B %Y}"


class StaleMonth(models.Model):
    """A built month whose facts changed since it was built: marked by database triggers, read live until rebuilt."""

    month = models.DateField(primary_key=True)
    marked_at = models.DateTimeField()

    def __str__(self):
        return f"{self.month:%B %Y}"

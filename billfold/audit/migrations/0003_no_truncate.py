"""Row triggers do not fire on TRUNCATE; refuse it with a statement trigger."""

from django.db import migrations

from billfold.core.db import RunVendorSQL


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        RunVendorSQL(
            {
                "postgresql": (
                    [
                        "CREATE TRIGGER bf_audit_no_truncate BEFORE TRUNCATE ON audit_activityevent "
                        "FOR EACH STATEMENT EXECUTE FUNCTION bf_audit_append_only()"
                    ],
                    ["DROP TRIGGER bf_audit_no_truncate ON audit_activityevent"],
                )
            },
            "Refuse TRUNCATE of activity events",
        )
    ]

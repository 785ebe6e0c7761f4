"""The activity log is append-only in the database too."""

from django.db import migrations

from billfold.core.db import RunVendorSQL

PG_FUNCTION = """
CREATE FUNCTION bf_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'billfold: activity events are append-only' USING ERRCODE = '42501';
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        RunVendorSQL(
            {
                "postgresql": (
                    [
                        PG_FUNCTION,
                        "CREATE TRIGGER bf_audit_append_only BEFORE UPDATE OR DELETE ON "
                        "audit_activityevent FOR EACH ROW EXECUTE FUNCTION bf_audit_append_only()",
                    ],
                    [
                        "DROP TRIGGER bf_audit_append_only ON audit_activityevent",
                        "DROP FUNCTION bf_audit_append_only()",
                    ],
                ),
                "sqlite": (
                    [
                        "CREATE TRIGGER bf_audit_no_update BEFORE UPDATE ON audit_activityevent "
                        "BEGIN SELECT RAISE(ABORT, 'billfold: activity events are append-only'); END",
                        "CREATE TRIGGER bf_audit_no_delete BEFORE DELETE ON audit_activityevent "
                        "BEGIN SELECT RAISE(ABORT, 'billfold: activity events are append-only'); END",
                    ],
                    ["DROP TRIGGER bf_audit_no_update", "DROP TRIGGER bf_audit_no_delete"],
                ),
            },
            "Refuse updates and deletes of activity events",
        ),
    ]

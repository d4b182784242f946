"""Constraint names of the form <app_label>_<model>_…, and a message for every constraint.

Nothing else changes. On PostgreSQL a rename is a change of the catalogue
(``RenameConstraint``: ``ALTER TABLE … RENAME CONSTRAINT`` or ``ALTER INDEX … RENAME``),
no index is rebuilt and no row is read; a message is the models' state only
(``AlterConstraint``: no SQL).
"""

from django.db import migrations, models

from logistics.common.migration_operations import RenameConstraint


class Migration(migrations.Migration):

    dependencies = [
        ('logistics', '0014_import_jobs'),
    ]

    operations = [
        RenameConstraint(
            model_name='summarydraft',
            old_name='summary_draft_one_per_semester',
            new_name='logistics_summarydraft_one_per_semester',
        ),
        RenameConstraint(
            model_name='document',
            old_name='document_unique_version',
            new_name='logistics_document_unique_version',
        ),
        migrations.AlterConstraint(
            model_name='document',
            name='logistics_document_unique_version',
            constraint=models.UniqueConstraint(fields=('kind', 'school', 'period_start', 'period_end', 'params', 'language', 'version'), name='logistics_document_unique_version', violation_error_message='This version of the document already exists.'),
        ),
        RenameConstraint(
            model_name='document',
            old_name='document_one_in_progress',
            new_name='logistics_document_one_in_progress',
        ),
        migrations.AlterConstraint(
            model_name='document',
            name='logistics_document_one_in_progress',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'running'])), fields=('kind', 'school', 'period_start', 'period_end', 'params', 'language'), name='logistics_document_one_in_progress', violation_error_message='This document is already being made.'),
        ),
        RenameConstraint(
            model_name='document',
            old_name='document_progress_percent',
            new_name='logistics_document_progress_percent',
        ),
        migrations.AlterConstraint(
            model_name='document',
            name='logistics_document_progress_percent',
            constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='logistics_document_progress_percent', violation_error_message='The progress is a percentage from 0 to 100.'),
        ),
        RenameConstraint(
            model_name='document',
            old_name='document_period_ordered',
            new_name='logistics_document_period_ordered',
        ),
        migrations.AlterConstraint(
            model_name='document',
            name='logistics_document_period_ordered',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='logistics_document_period_ordered', violation_error_message='The period cannot end before it starts.'),
        ),
        RenameConstraint(
            model_name='repaircategory',
            old_name='repair_category_unique_name',
            new_name='logistics_repaircategory_unique_name',
        ),
        RenameConstraint(
            model_name='dispatchrule',
            old_name='dispatch_rule_unique_building',
            new_name='logistics_dispatchrule_unique_building',
        ),
        RenameConstraint(
            model_name='dispatchrule',
            old_name='dispatch_rule_unique_school',
            new_name='logistics_dispatchrule_unique_school',
        ),
        RenameConstraint(
            model_name='material',
            old_name='material_unique_name_spec',
            new_name='logistics_material_unique_name_spec',
        ),
        RenameConstraint(
            model_name='material',
            old_name='material_unit_cost_not_negative',
            new_name='logistics_material_unit_cost_not_negative',
        ),
        RenameConstraint(
            model_name='ticket',
            old_name='ticket_unique_submission',
            new_name='logistics_ticket_unique_submission',
        ),
        migrations.AlterConstraint(
            model_name='ticket',
            name='logistics_ticket_unique_submission',
            constraint=models.UniqueConstraint(fields=('requester', 'submission_key'), name='logistics_ticket_unique_submission', violation_error_message='This form has already been submitted.'),
        ),
        RenameConstraint(
            model_name='ticket',
            old_name='ticket_rating_1_to_5',
            new_name='logistics_ticket_rating_1_to_5',
        ),
        RenameConstraint(
            model_name='ticket',
            old_name='ticket_assignee_when_dispatched',
            new_name='logistics_ticket_assignee_when_dispatched',
        ),
        RenameConstraint(
            model_name='ticket',
            old_name='ticket_done_at_when_done',
            new_name='logistics_ticket_done_at_when_done',
        ),
        migrations.AlterConstraint(
            model_name='ticket',
            name='logistics_ticket_done_at_when_done',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['done', 'closed']), _negated=True), ('done_at__isnull', False), _connector='OR'), name='logistics_ticket_done_at_when_done', violation_error_message='A finished ticket needs the time it was finished.'),
        ),
        RenameConstraint(
            model_name='ticketmaterial',
            old_name='ticket_material_quantity_positive',
            new_name='logistics_ticketmaterial_quantity_positive',
        ),
        RenameConstraint(
            model_name='ticketmaterial',
            old_name='ticket_material_cost_not_negative',
            new_name='logistics_ticketmaterial_cost_not_negative',
        ),
        RenameConstraint(
            model_name='importjob',
            old_name='import_job_unique_submission',
            new_name='logistics_importjob_unique_submission',
        ),
        migrations.AlterConstraint(
            model_name='importjob',
            name='logistics_importjob_unique_submission',
            constraint=models.UniqueConstraint(fields=('created_by', 'submission_key'), name='logistics_importjob_unique_submission', violation_error_message='This form has already been submitted.'),
        ),
        RenameConstraint(
            model_name='importjob',
            old_name='import_job_kind_known',
            new_name='logistics_importjob_kind_known',
        ),
        migrations.AlterConstraint(
            model_name='importjob',
            name='logistics_importjob_kind_known',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['rooms', 'people'])), name='logistics_importjob_kind_known', violation_error_message='Choose what to import: rooms or people.'),
        ),
        RenameConstraint(
            model_name='importjob',
            old_name='import_job_checked_within_total',
            new_name='logistics_importjob_checked_within_total',
        ),
        migrations.AlterConstraint(
            model_name='importjob',
            name='logistics_importjob_checked_within_total',
            constraint=models.CheckConstraint(condition=models.Q(('rows_checked__lte', models.F('rows_total'))), name='logistics_importjob_checked_within_total', violation_error_message='An import cannot check more rows than its file has.'),
        ),
        RenameConstraint(
            model_name='importjob',
            old_name='import_job_finished_only_when_ended',
            new_name='logistics_importjob_finished_only_when_ended',
        ),
        migrations.AlterConstraint(
            model_name='importjob',
            name='logistics_importjob_finished_only_when_ended',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['done', 'failed']), ('finished_at__isnull', True), _connector='OR'), name='logistics_importjob_finished_only_when_ended', violation_error_message='Only an import that has ended has a finishing time.'),
        ),
        RenameConstraint(
            model_name='notification',
            old_name='notification_unique_key',
            new_name='logistics_notification_unique_key',
        ),
        migrations.AlterConstraint(
            model_name='notification',
            name='logistics_notification_unique_key',
            constraint=models.UniqueConstraint(fields=('recipient', 'key'), name='logistics_notification_unique_key', violation_error_message='This person has already been sent this notification.'),
        ),
        RenameConstraint(
            model_name='chatmessage',
            old_name='chat_message_unique_key',
            new_name='logistics_chatmessage_unique_key',
        ),
        migrations.AlterConstraint(
            model_name='chatmessage',
            name='logistics_chatmessage_unique_key',
            constraint=models.UniqueConstraint(fields=('school', 'key'), name='logistics_chatmessage_unique_key', violation_error_message='This message has already been sent to the group chat.'),
        ),
        RenameConstraint(
            model_name='reminder',
            old_name='reminder_unique_key',
            new_name='logistics_reminder_unique_key',
        ),
        migrations.AlterConstraint(
            model_name='reminder',
            name='logistics_reminder_unique_key',
            constraint=models.UniqueConstraint(fields=('rule', 'key'), name='logistics_reminder_unique_key', violation_error_message='This reminder has already been sent.'),
        ),
        RenameConstraint(
            model_name='district',
            old_name='district_unique_code',
            new_name='logistics_district_unique_code',
        ),
        migrations.AlterConstraint(
            model_name='district',
            name='logistics_district_unique_code',
            constraint=models.UniqueConstraint(fields=('code',), name='logistics_district_unique_code', violation_error_message='A district with this code already exists.'),
        ),
        RenameConstraint(
            model_name='school',
            old_name='school_unique_code',
            new_name='logistics_school_unique_code',
        ),
        migrations.AlterConstraint(
            model_name='school',
            name='logistics_school_unique_code',
            constraint=models.UniqueConstraint(fields=('code',), name='logistics_school_unique_code', violation_error_message='A school with this code already exists.'),
        ),
        RenameConstraint(
            model_name='school',
            old_name='school_webhook_url_when_kind',
            new_name='logistics_school_webhook_url_when_kind',
        ),
        RenameConstraint(
            model_name='school',
            old_name='school_repair_service_levels',
            new_name='logistics_school_repair_service_levels',
        ),
        RenameConstraint(
            model_name='campus',
            old_name='campus_unique_name',
            new_name='logistics_campus_unique_name',
        ),
        RenameConstraint(
            model_name='building',
            old_name='building_unique_name',
            new_name='logistics_building_unique_name',
        ),
        RenameConstraint(
            model_name='building',
            old_name='building_floors_above_min_1',
            new_name='logistics_building_floors_above_min_1',
        ),
        migrations.AlterConstraint(
            model_name='building',
            name='logistics_building_floors_above_min_1',
            constraint=models.CheckConstraint(condition=models.Q(('floors_above__gte', 1)), name='logistics_building_floors_above_min_1', violation_error_message='A building has at least one floor above ground.'),
        ),
        RenameConstraint(
            model_name='room',
            old_name='room_unique_number',
            new_name='logistics_room_unique_number',
        ),
        RenameConstraint(
            model_name='room',
            old_name='room_floor_not_zero',
            new_name='logistics_room_floor_not_zero',
        ),
        migrations.AlterConstraint(
            model_name='room',
            name='logistics_room_floor_not_zero',
            constraint=models.CheckConstraint(condition=models.Q(('floor', 0), _negated=True), name='logistics_room_floor_not_zero', violation_error_message='There is no floor 0: the ground floor is 1, the first basement -1.'),
        ),
        RenameConstraint(
            model_name='department',
            old_name='department_unique_name',
            new_name='logistics_department_unique_name',
        ),
        RenameConstraint(
            model_name='semester',
            old_name='semester_unique_term',
            new_name='logistics_semester_unique_term',
        ),
        RenameConstraint(
            model_name='semester',
            old_name='semester_one_current',
            new_name='logistics_semester_one_current',
        ),
        migrations.AlterConstraint(
            model_name='semester',
            name='logistics_semester_one_current',
            constraint=models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('school',), name='logistics_semester_one_current', violation_error_message='Only one semester can be the current one.'),
        ),
        RenameConstraint(
            model_name='semester',
            old_name='semester_ends_after_start',
            new_name='logistics_semester_ends_after_start',
        ),
        RenameConstraint(
            model_name='semester',
            old_name='semester_academic_year_range',
            new_name='logistics_semester_academic_year_range',
        ),
        migrations.AlterConstraint(
            model_name='semester',
            name='logistics_semester_academic_year_range',
            constraint=models.CheckConstraint(condition=models.Q(('academic_year__gte', 2000), ('academic_year__lte', 2100)), name='logistics_semester_academic_year_range', violation_error_message='Enter an academic year between 2000 and 2100.'),
        ),
        RenameConstraint(
            model_name='passwordcheckthrottle',
            old_name='password_check_throttle_failure_time',
            new_name='logistics_passwordcheckthrottle_failure_time',
        ),
        migrations.AlterConstraint(
            model_name='passwordcheckthrottle',
            name='logistics_passwordcheckthrottle_failure_time',
            constraint=models.CheckConstraint(condition=models.Q(('failures', 0), ('last_failure_at__isnull', False), _connector='OR'), name='logistics_passwordcheckthrottle_failure_time', violation_error_message='A wrong answer is recorded with its time.'),
        ),
        RenameConstraint(
            model_name='user',
            old_name='user_school_or_district',
            new_name='logistics_user_school_or_district',
        ),
        migrations.AlterConstraint(
            model_name='user',
            name='logistics_user_school_or_district',
            constraint=models.CheckConstraint(condition=models.Q(('school__isnull', True), ('district__isnull', True), _connector='OR'), name='logistics_user_school_or_district', violation_error_message='A person belongs to a school or to a district, not both.'),
        ),
        RenameConstraint(
            model_name='techniciantrade',
            old_name='technician_trade_unique',
            new_name='logistics_techniciantrade_unique',
        ),
        migrations.AlterConstraint(
            model_name='techniciantrade',
            name='logistics_techniciantrade_unique',
            constraint=models.UniqueConstraint(fields=('user', 'trade'), name='logistics_techniciantrade_unique', violation_error_message='This technician already has this trade.'),
        ),
    ]

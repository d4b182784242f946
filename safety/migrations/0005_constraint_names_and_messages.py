"""Constraint names of the form safety_<model>_…, and a message for every constraint
(as logistics' 0015: renames in PostgreSQL's catalogue, messages in the state only)."""

from django.db import migrations, models

from logistics.common.migration_operations import RenameConstraint


class Migration(migrations.Migration):

    dependencies = [
        ('safety', '0004_hazard_submission_key'),
    ]

    operations = [
        RenameConstraint(
            model_name='safetyagreement',
            old_name='safety_agreement_unique_per_year',
            new_name='safety_safetyagreement_unique_per_year',
        ),
        RenameConstraint(
            model_name='safetyagreement',
            old_name='safety_agreement_year_range',
            new_name='safety_safetyagreement_year_range',
        ),
        RenameConstraint(
            model_name='safetyagreement',
            old_name='safety_agreement_file_type',
            new_name='safety_safetyagreement_file_type',
        ),
        migrations.AlterConstraint(
            model_name='safetyagreement',
            name='safety_safetyagreement_file_type',
            constraint=models.CheckConstraint(condition=models.Q(('file', ''), models.Q(('file_type', ''), _negated=True), _connector='OR'), name='safety_safetyagreement_file_type', violation_error_message='A scanned copy needs its file type.'),
        ),
        RenameConstraint(
            model_name='checklisttemplate',
            old_name='safety_checklist_unique_name',
            new_name='safety_checklisttemplate_unique_name',
        ),
        RenameConstraint(
            model_name='checklisttemplate',
            old_name='safety_checklist_unique_default',
            new_name='safety_checklisttemplate_unique_default',
        ),
        RenameConstraint(
            model_name='checklistitem',
            old_name='safety_item_unique_text',
            new_name='safety_checklistitem_unique_text',
        ),
        RenameConstraint(
            model_name='inspectionschedule',
            old_name='safety_schedule_ends_after_start',
            new_name='safety_inspectionschedule_ends_after_start',
        ),
        migrations.AlterConstraint(
            model_name='hazard',
            name='safety_hazard_unique_submission',
            constraint=models.UniqueConstraint(fields=('found_by', 'submission_key'), name='safety_hazard_unique_submission', violation_error_message='This form has already been submitted.'),
        ),
        migrations.AlterConstraint(
            model_name='hazard',
            name='safety_hazard_closed_at_when_closed',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', False), ('status', 'closed'), ('verified_by__isnull', False)), models.Q(models.Q(('status', 'closed'), _negated=True), ('closed_at__isnull', True)), _connector='OR'), name='safety_hazard_closed_at_when_closed', violation_error_message='A closed hazard needs the time it was closed and who checked it; an open one has no closing time.'),
        ),
        RenameConstraint(
            model_name='rectificationplan',
            old_name='safety_plan_funding_not_negative',
            new_name='safety_rectificationplan_funding_not_negative',
        ),
        RenameConstraint(
            model_name='hazarddeferral',
            old_name='safety_deferral_later_deadline',
            new_name='safety_hazarddeferral_later_deadline',
        ),
        migrations.AlterConstraint(
            model_name='inspection',
            name='safety_inspection_submitted_at',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'submitted'), _negated=True), ('submitted_at__isnull', False), _connector='OR'), name='safety_inspection_submitted_at', violation_error_message='A submitted inspection needs the time it was submitted.'),
        ),
        migrations.AlterConstraint(
            model_name='inspection',
            name='safety_inspection_started_at',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'planned'), ('status', 'cancelled'), ('started_at__isnull', False), _connector='OR'), name='safety_inspection_started_at', violation_error_message='A started inspection needs the time it was started.'),
        ),
        RenameConstraint(
            model_name='inspectionresult',
            old_name='safety_result_unique_item',
            new_name='safety_inspectionresult_unique_item',
        ),
        RenameConstraint(
            model_name='inspectionresult',
            old_name='safety_result_hazard_level',
            new_name='safety_inspectionresult_hazard_level',
        ),
        RenameConstraint(
            model_name='inspectionresult',
            old_name='safety_result_hazard_only_when_found',
            new_name='safety_inspectionresult_hazard_only_when_found',
        ),
        migrations.AlterConstraint(
            model_name='inspectionresult',
            name='safety_inspectionresult_hazard_only_when_found',
            constraint=models.CheckConstraint(condition=models.Q(('hazard__isnull', True), ('outcome', 'hazard'), _connector='OR'), name='safety_inspectionresult_hazard_only_when_found', violation_error_message='Only an answer that found a hazard is linked to one.'),
        ),
    ]

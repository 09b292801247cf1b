"""Indexes of the program lists (by start date) and of the enrolment lists (newest request first,
alone and after a ``status`` filter). Built concurrently (a non-atomic migration); the enrolments'
``status`` indexes they make redundant go last."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

ENROLMENT_STATUSES = [('requested', 'Requested'), ('waitlisted', 'Waitlisted'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn'), ('cancelled', 'Cancelled')]


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('programs', '0001_initial'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='bootcamp',
            index=models.Index(fields=['start_date', 'id'], name='programs_bootcamp_start'),
        ),
        AddIndexConcurrently(
            model_name='advancedcourse',
            index=models.Index(fields=['start_date', 'id'], name='programs_advancedcourse_start'),
        ),
        AddIndexConcurrently(
            model_name='bootcampenrolment',
            index=models.Index(fields=['-requested_at', '-id'], name='programs_bootcamp_enr_recent'),
        ),
        AddIndexConcurrently(
            model_name='bootcampenrolment',
            index=models.Index(fields=['status', '-requested_at', '-id'], name='programs_bootcamp_enr_status'),
        ),
        AddIndexConcurrently(
            model_name='advancedcourseenrolment',
            index=models.Index(fields=['-requested_at', '-id'], name='programs_course_enr_recent'),
        ),
        AddIndexConcurrently(
            model_name='advancedcourseenrolment',
            index=models.Index(fields=['status', '-requested_at', '-id'], name='programs_course_enr_status'),
        ),
        migrations.AlterField(
            model_name='bootcampenrolment',
            name='status',
            field=models.CharField(choices=ENROLMENT_STATUSES, default='requested', max_length=16),
        ),
        migrations.AlterField(
            model_name='advancedcourseenrolment',
            name='status',
            field=models.CharField(choices=ENROLMENT_STATUSES, default='requested', max_length=16),
        ),
    ]

"""The ``school`` kind: bootcamps and advanced courses with enrolment (``programs``), and
products with paid lessons and automatic student groups (``lessons``)."""

build-v/tests/unit/test_alarm_due: tests/unit/test_alarm_due.c \
 lib/alarm_due.h lib/timeutil.h
lib/alarm_due.h:
lib/timeutil.h:

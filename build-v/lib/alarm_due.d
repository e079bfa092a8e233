build-v/lib/alarm_due.o: lib/alarm_due.c lib/alarm_due.h
lib/alarm_due.h:

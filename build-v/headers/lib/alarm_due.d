build-v/headers/lib/alarm_due.o: build-v/headers/lib/alarm_due.c \
 lib/alarm_due.h
lib/alarm_due.h:

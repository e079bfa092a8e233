build-v/headers/lib/timeutil.o: build-v/headers/lib/timeutil.c \
 lib/timeutil.h
lib/timeutil.h:

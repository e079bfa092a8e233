build-v/headers/lib/pattern_impl.o: build-v/headers/lib/pattern_impl.c \
 lib/pattern_impl.h lib/err.h lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:

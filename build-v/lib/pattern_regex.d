build-v/lib/pattern_regex.o: lib/pattern_regex.c lib/pattern_impl.h \
 lib/err.h lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:

build-v/lib/pattern_fields.o: lib/pattern_fields.c lib/pattern_impl.h \
 lib/err.h lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:

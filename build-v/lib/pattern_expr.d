build-v/lib/pattern_expr.o: lib/pattern_expr.c lib/pattern_impl.h \
 lib/err.h lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:

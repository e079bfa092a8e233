build-v/fs/audit.o: fs/audit.c fs/audit.h fs/path.h fs/node.h fs/monfs.h \
 fs/fuse.h /usr/include/fuse3/fuse.h /usr/include/fuse3/fuse_common.h \
 /usr/include/fuse3/libfuse_config.h /usr/include/fuse3/fuse_opt.h \
 /usr/include/fuse3/fuse_log.h /usr/include/fuse3/fuse_opt.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h
fs/audit.h:
fs/path.h:
fs/node.h:
fs/monfs.h:
fs/fuse.h:
/usr/include/fuse3/fuse.h:
/usr/include/fuse3/fuse_common.h:
/usr/include/fuse3/libfuse_config.h:
/usr/include/fuse3/fuse_opt.h:
/usr/include/fuse3/fuse_log.h:
/usr/include/fuse3/fuse_opt.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:

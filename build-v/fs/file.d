build-v/fs/file.o: fs/file.c fs/access.h fs/node.h fs/monfs.h fs/fuse.h \
 /usr/include/fuse3/fuse.h /usr/include/fuse3/fuse_common.h \
 /usr/include/fuse3/libfuse_config.h /usr/include/fuse3/fuse_opt.h \
 /usr/include/fuse3/fuse_log.h /usr/include/fuse3/fuse_opt.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h fs/path.h \
 fs/actions.h fs/audit.h fs/handle.h fs/file.h fs/shape.h fs/render.h \
 fs/view.h lib/perm.h
fs/access.h:
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
fs/path.h:
fs/actions.h:
fs/audit.h:
fs/handle.h:
fs/file.h:
fs/shape.h:
fs/render.h:
fs/view.h:
lib/perm.h:

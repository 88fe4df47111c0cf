# The man pages, written in scdoc (doc/*.scd): memsect(1) and
# memsect-crash(7).  Included by the top-level Makefile; `make man` builds
# them into $(MS_BUILD)/man, `make install` installs them.
MS_MAN_SRCS := $(wildcard doc/*.scd)
MS_MAN_PAGES := $(patsubst doc/%.scd,$(MS_BUILD)/man/%,$(MS_MAN_SRCS))

.PHONY: man install-man
man: $(MS_MAN_PAGES)

$(MS_BUILD)/man/%: doc/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@

install-man: $(MS_MAN_PAGES)
	set -e; for p in $(MS_MAN_PAGES); do \
		s=$${p##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		install -m 644 $$p $(DESTDIR)$(PREFIX)/share/man/man$$s/; \
	done

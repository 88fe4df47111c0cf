// SPDX-License-Identifier: GPL-2.0-or-later
/* memsect batch (batch.h): the parent schedules, each child analyses one dump. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "batch_record.h"
#include "batch_summary.h"
#include "json.h"
#include "kdump_target.h"
#include "memsect/command.h"
#include "report_json.h"
#include "threads.h"

#define MAX_COMMANDS 8
#define MAX_JOBS 256
#define DEFAULT_COMMANDS "diagnose"

struct batch {
	unsigned jobs;
	unsigned threads;		/* per dump, pages.c */
	double timeout;			/* seconds, 0: none */
	const char *output;		/* NULL: stdout */
	int resume;
	const struct ms_command *cmds[MAX_COMMANDS];
	size_t ncmds;
	struct kdump_target_debuginfo di;
	unsigned shard_k, shard_n;	/* 1-based K of N; N 0: all */
};

struct input {
	char *path;
	int stat_ok;
	struct stat st;
};

struct inputs {
	struct input *v;
	size_t n;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(const char *why, const char *arg)
{
	fprintf(stderr, "memsect: %s%s%s (try 'memsect --help')\n", why,
		arg ? " " : "", arg ? arg : "");
	return 2;
}

/* ------------------------------------------------------------------ */
/* The child: one dump, every command, one line. */

struct ran {
	const struct ms_command *cmd;
	char *doc;
	size_t len;
	struct ms_finding *f;
	size_t nf;
};

static void dump_head(struct json *j, const struct input *in)
{
	json_str(j, "schema", BATCH_SCHEMA);
	json_obj(j, "dump");
	json_str(j, "path", in->path);
	if (in->stat_ok) {
		json_uint(j, "size", (uint64_t)in->st.st_size);
		json_int(j, "mtime", (int64_t)in->st.st_mtime);
	} else {
		json_null(j, "size");
		json_null(j, "mtime");
	}
}

static void seconds(struct json *j, double s)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%.3f", s);

	json_raw(j, "seconds", buf, (size_t)n);
}

/* The line of a dump that failed before or without a report. */
static void failed_line(FILE *out, const struct input *in, const char *status,
			int exit_code, int sig, const char *error, double secs)
{
	struct json j;

	json_begin(&j, out);
	json_obj(&j, NULL);
	dump_head(&j, in);
	json_null(&j, "format");
	json_null(&j, "osrelease");
	json_null(&j, "build_id");
	json_obj_end(&j);
	json_null(&j, "vmlinux");
	json_str(&j, "status", status);
	if (exit_code >= 0)
		json_int(&j, "exit", exit_code);
	else
		json_null(&j, "exit");
	if (sig)
		json_int(&j, "signal", sig);
	else
		json_null(&j, "signal");
	json_str(&j, "error", error);
	seconds(&j, secs);
	json_arr(&j, "findings");
	json_arr_end(&j);
	json_obj(&j, "report");
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static int run_one(struct kdump_target *kt, const struct ms_command *cmd,
		   const char *path, unsigned threads, struct ran *r,
		   struct ms_session *s, char *err, size_t errlen)
{
	static struct ms_args a = { .json = true, .pid = -1 };
	struct ms_report_info ri = {
		.dump_path = path,
		.dump_format = kt->format[0] ? kt->format : NULL,
		.vmlinux_path = kt->have_vmlinux ? kt->vmlinux_path : NULL,
		.vmlinux_source = kt->vmlinux_source,
		.types = kt->have_vmlinux ? "dwarf" : "btf",
		.symbols = kt->have_vmlinux ? "elf" : "kallsyms",
	};
	FILE *out;

	r->cmd = cmd;
	if (ms_session_open(s, &kt->target, err, errlen))
		return -1;
	s->c.threads = threads;
	out = open_memstream(&r->doc, &r->len);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ms_command_run(cmd, out, s, &a, &ri);
	fclose(out);
	r->f = malloc((s->f.n ? s->f.n : 1) * sizeof(*r->f));
	if (!r->f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (s->f.n)
		memcpy(r->f, s->f.v, s->f.n * sizeof(*r->f));
	r->nf = s->f.n;
	return 0;
}

/* Analyse @in with every command; write its line to @out; the exit status. */
static int child(const struct batch *b, const struct input *in, FILE *out)
{
	static struct kdump_target kt;
	struct ran ran[MAX_COMMANDS] = { 0 };
	const char *status = "clean";
	char err[2048], osrelease[96] = "", build_id[96] = "";
	double t0 = now();
	int partial = 0, findings = 0, any;
	struct json j;

	if (kdump_target_open(&kt, in->path, &b->di)) {
		failed_line(out, in, "error", 3, 0, kt.err, now() - t0);
		return 3;
	}
	for (size_t i = 0; i < b->ncmds; i++) {
		struct ms_session s;

		if (run_one(&kt, b->cmds[i], in->path, b->threads, &ran[i], &s,
			    err, sizeof(err))) {
			ms_session_close(&s);
			failed_line(out, in, "error", 3, 0, err, now() - t0);
			return 3;
		}
		snprintf(osrelease, sizeof(osrelease), "%s", s.c.L.osrelease);
		snprintf(build_id, sizeof(build_id), "%s", s.c.L.build_id);
		partial |= ms_ctx_partial(&s.c);
		findings |= ms_findings_worst(&s.f, &any) >= MS_WARNING;
		ms_session_close(&s);
	}
	if (partial)
		status = "partial";
	else if (findings)
		status = "findings";
	json_begin(&j, out);
	json_obj(&j, NULL);
	dump_head(&j, in);
	json_str(&j, "format", kt.format[0] ? kt.format : NULL);
	json_str(&j, "osrelease", osrelease[0] ? osrelease : NULL);
	json_str(&j, "build_id", build_id[0] ? build_id : NULL);
	json_obj_end(&j);
	if (kt.have_vmlinux) {
		json_obj(&j, "vmlinux");
		json_str(&j, "path", kt.vmlinux_path);
		json_str(&j, "source", kt.vmlinux_source);
		json_obj_end(&j);
	} else {
		json_null(&j, "vmlinux");
	}
	json_str(&j, "status", status);
	json_int(&j, "exit", partial ? MS_RESULT_PARTIAL :
			     findings ? MS_RESULT_FINDINGS : MS_RESULT_CLEAN);
	json_null(&j, "signal");
	json_null(&j, "error");
	seconds(&j, now() - t0);
	json_arr(&j, "findings");
	for (size_t i = 0; i < b->ncmds; i++)
		for (size_t k = 0; k < ran[i].nf; k++) {
			json_obj(&j, NULL);
			json_str(&j, "command", ran[i].cmd->name);
			json_str(&j, "code", ran[i].f[k].code);
			json_str(&j, "severity", ms_severity_name(ran[i].f[k].severity));
			ms_finding_place_json(&j, &ran[i].f[k]);
			json_obj_end(&j);
		}
	json_arr_end(&j);
	json_obj(&j, "report");
	for (size_t i = 0; i < b->ncmds; i++)
		json_raw(&j, ran[i].cmd->name, ran[i].doc, ran[i].len);
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
	return partial || findings;
}

/* ------------------------------------------------------------------ */
/* The parent. */

struct slot {
	pid_t pid;
	size_t idx;
	double t0;
	int out_fd, err_fd;
	int timed_out;
};

struct run {
	const struct batch *b;
	struct inputs *in;
	int out_fd;
	struct batch_tally *tally;
	size_t done, failed, total;
	double t0;
	int progress;
};

static int tmp_fd(void)
{
	char name[] = "/tmp/memsect-batch-XXXXXX";
	int fd = mkstemp(name);

	if (fd >= 0)
		unlink(name);
	return fd;
}

/* All of @fd from offset 0, NUL-terminated; NULL when unreadable. */
static char *slurp(int fd, size_t *len)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st) || st.st_size < 0 || (uint64_t)st.st_size > (1ULL << 31))
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + *len, (size_t)st.st_size - *len, (off_t)*len);

		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	return buf;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The child's last stderr line, for a dump that crashed. */
static void last_line(int fd, char *buf, size_t len)
{
	size_t n;
	char *text = slurp(fd, &n), *p;

	buf[0] = '\0';
	if (!text)
		return;
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	p = strrchr(text, '\n');
	snprintf(buf, len, "%s", p ? p + 1 : text);
	free(text);
}

static void start(struct run *r, struct slot *s, size_t idx)
{
	const struct input *in = &r->in->v[idx];

	s->idx = idx;
	s->t0 = now();
	s->timed_out = 0;
	s->out_fd = tmp_fd();
	s->err_fd = tmp_fd();
	fflush(NULL);
	s->pid = (s->out_fd < 0 || s->err_fd < 0) ? -1 : fork();
	if (s->pid == 0) {
		FILE *out = fdopen(s->out_fd, "w");

		dup2(s->err_fd, STDERR_FILENO);
		dup2(s->err_fd, STDOUT_FILENO);
		signal(SIGINT, SIG_DFL);
		_exit(out ? child(r->b, in, out) | (fflush(out) ? 3 : 0) : 3);
	}
}

/* Write the finished dump's line and count it. */
static void finish(struct run *r, struct slot *s, int wstatus)
{
	const struct input *in = &r->in->v[s->idx];
	struct batch_record rec;
	char *line = NULL, why[600], tail[400];
	size_t len = 0;
	FILE *mem;

	if (s->pid > 0 && WIFEXITED(wstatus) && s->out_fd >= 0)
		line = slurp(s->out_fd, &len);
	if (!line || !len || line[len - 1] != '\n' ||
	    batch_record_parse(line, len - 1, &rec)) {
		const char *status = s->timed_out ? "timeout" : "crashed";
		int sig = s->pid > 0 && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;

		free(line);
		line = NULL;
		last_line(s->err_fd, tail, sizeof(tail));
		if (s->pid < 0)
			snprintf(why, sizeof(why), "cannot start a child: %s", strerror(errno));
		else if (s->timed_out)
			snprintf(why, sizeof(why), "no result after %g s (killed)", r->b->timeout);
		else if (sig)
			snprintf(why, sizeof(why), "killed by signal %d (%s)%s%s", sig,
				 strsignal(sig), tail[0] ? ": " : "", tail);
		else
			snprintf(why, sizeof(why), "exited with status %d without a report%s%s",
				 WEXITSTATUS(wstatus), tail[0] ? ": " : "", tail);
		mem = open_memstream(&line, &len);
		if (mem) {
			failed_line(mem, in, status, s->pid > 0 && WIFEXITED(wstatus) ?
				    WEXITSTATUS(wstatus) : -1, sig, why, now() - s->t0);
			fclose(mem);
		}
		if (!line || batch_record_parse(line, len ? len - 1 : 0, &rec)) {
			fprintf(stderr, "memsect: batch: cannot record %s\n", in->path);
			free(line);
			return;
		}
	}
	if (write_all(r->out_fd, line, len))
		fprintf(stderr, "memsect: batch: writing the output: %s\n", strerror(errno));
	free(line);
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	batch_tally_add(r->tally, &rec);
	r->done++;
	r->failed += batch_status_rank(rec.status) >= batch_status_rank("error");
}

static void progress(const struct run *r)
{
	double el = now() - r->t0, rate = el > 0 ? r->done * 60.0 / el : 0;
	double left = rate > 0 ? (r->total - r->done) / rate * 60 : 0;

	if (!r->progress)
		return;
	fprintf(stderr, "\r\033[Kmemsect batch: %zu/%zu done, %zu failed, %.1f dumps/min",
		r->done, r->total, r->failed, rate);
	if (r->done && r->done < r->total)
		fprintf(stderr, ", about %.0f min left", left / 60 + 0.5);
	if (r->done == r->total)
		fputs("\r\033[K", stderr);
}

static void schedule(struct run *r, const size_t *todo, size_t ntodo)
{
	struct slot slots[MAX_JOBS];
	size_t next = 0, running = 0;

	memset(slots, 0, sizeof(slots));
	while (next < ntodo || running) {
		int wstatus;
		pid_t pid;

		for (unsigned k = 0; k < r->b->jobs && next < ntodo; k++) {
			if (slots[k].pid > 0)
				continue;
			start(r, &slots[k], todo[next++]);
			if (slots[k].pid < 0) {
				finish(r, &slots[k], 0);
				slots[k].pid = 0;
				continue;
			}
			running++;
		}
		pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid <= 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			for (unsigned k = 0; k < r->b->jobs; k++)
				if (slots[k].pid > 0 && r->b->timeout > 0 && !slots[k].timed_out &&
				    now() - slots[k].t0 > r->b->timeout) {
					slots[k].timed_out = 1;
					kill(slots[k].pid, SIGKILL);
				}
			nanosleep(&ts, NULL);
			continue;
		}
		for (unsigned k = 0; k < r->b->jobs; k++) {
			if (slots[k].pid != pid)
				continue;
			finish(r, &slots[k], wstatus);
			slots[k].pid = 0;
			running--;
			progress(r);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Options and inputs. */

static int parse_commands(struct batch *b, char *list)
{
	b->ncmds = 0;
	for (char *save = NULL, *w = strtok_r(list, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		const struct ms_command *cmd = ms_command_find(w);

		if (!cmd || (cmd->options & MS_OPT_PFNS))
			return usage("--commands: not a command batch can run:", w);
		if (b->ncmds == MAX_COMMANDS)
			return usage("--commands: too many", NULL);
		b->cmds[b->ncmds++] = cmd;
	}
	return b->ncmds ? 0 : usage("--commands: none given", NULL);
}

static int add_input(struct inputs *in, const char *path)
{
	struct input *nv = realloc(in->v, (in->n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	in->v = nv;
	memset(&nv[in->n], 0, sizeof(nv[in->n]));
	nv[in->n].path = strdup(path);
	if (!nv[in->n].path)
		return -1;
	nv[in->n].stat_ok = stat(path, &nv[in->n].st) == 0;
	in->n++;
	return 0;
}

/* One path per line; empty lines are skipped. */
static int read_list(struct inputs *in, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n)
			ret = add_input(in, line);
	}
	free(line);
	return ret;
}

/* The records already in @path (for --resume); whole lines only. */
static int load_done(const char *path, struct batch_record **done, size_t *ndone,
		     off_t *whole)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*done = NULL;
	*ndone = 0;
	*whole = 0;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct batch_record *nv;

		if (line[n - 1] != '\n')
			break;		/* a line a killed batch left unfinished */
		*whole += n;
		nv = realloc(*done, (*ndone + 1) * sizeof(*nv));
		if (!nv)
			break;
		*done = nv;
		if (!batch_record_parse(line, (size_t)n - 1, &nv[*ndone]))
			(*ndone)++;
	}
	free(line);
	fclose(f);
	return 0;
}

static int already(const struct batch_record *done, size_t ndone,
		   const struct input *in)
{
	for (size_t i = 0; i < ndone; i++)
		if (!strcmp(done[i].path, in->path) && done[i].have_stat == in->stat_ok &&
		    (!in->stat_ok || (done[i].size == (uint64_t)in->st.st_size &&
				      done[i].mtime == (int64_t)in->st.st_mtime)))
			return 1;
	return 0;
}

static int parse_shard(struct batch *b, const char *v)
{
	char *end;
	unsigned long k = strtoul(v, &end, 10), n;

	if (end == v || *end != '/')
		return usage("--shard: expected K/N, got", v);
	n = strtoul(end + 1, &end, 10);
	if (*end || !n || !k || k > n || n > 1000000)
		return usage("--shard: expected K/N with 1 <= K <= N, got", v);
	b->shard_k = (unsigned)k;
	b->shard_n = (unsigned)n;
	return 0;
}

int batch_main(int argc, char **argv)
{
	static struct batch b;
	struct inputs in = { 0 };
	struct batch_record *done = NULL;
	size_t ndone = 0, *todo, ntodo = 0;
	char commands[256] = DEFAULT_COMMANDS;
	struct run r = { 0 };
	off_t whole = 0;
	int ret;

	b.jobs = 1;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(w, "--jobs") && v) {
			unsigned long n = strtoul(v, &end, 10);

			if (*end || !n || n > MAX_JOBS)
				return usage("--jobs: expected 1 to 256, got", v);
			b.jobs = (unsigned)n;
			i++;
		} else if (!strcmp(w, "--threads") && v) {
			if (cli_parse_threads(v, &b.threads))
				return usage("--threads: expected 1 to 64, got", v);
			i++;
		} else if (!strcmp(w, "--timeout") && v) {
			b.timeout = strtod(v, &end);
			if (*end || b.timeout < 0)
				return usage("--timeout: expected seconds, got", v);
			i++;
		} else if (!strcmp(w, "--output") && v) {
			b.output = v;
			i++;
		} else if (!strcmp(w, "--resume")) {
			b.resume = 1;
		} else if (!strcmp(w, "--commands") && v) {
			snprintf(commands, sizeof(commands), "%s", v);
			i++;
		} else if (!strcmp(w, "--shard") && v) {
			if (parse_shard(&b, v))
				return 2;
			i++;
		} else if (!strcmp(w, "--debug-dir") && v) {
			if (b.di.search.ndebug_dirs == VMLINUX_MAX_DEBUG_DIRS)
				return usage("at most 16 --debug-dir", NULL);
			b.di.search.debug_dirs[b.di.search.ndebug_dirs++] = v;
			i++;
		} else if (!strcmp(w, "--no-default-debug-dirs")) {
			b.di.search.no_default_dirs = 1;
		} else if (!strcmp(w, "--no-vmlinux")) {
			b.di.no_vmlinux = 1;
		} else if (!strcmp(w, "--from") && v) {
			FILE *f = fopen(v, "r");

			if (!f) {
				fprintf(stderr, "memsect: %s: %s\n", v, strerror(errno));
				return 3;
			}
			ret = read_list(&in, f);
			fclose(f);
			if (ret)
				return 3;
			i++;
		} else if (!strcmp(w, "-")) {
			if (read_list(&in, stdin))
				return 3;
		} else if (w[0] == '-') {
			return usage("batch: unknown option", w);
		} else if (add_input(&in, w)) {
			return 3;
		}
	}
	if (parse_commands(&b, commands))
		return 2;
	if (!b.threads)
		b.threads = CLI_DEFAULT_THREADS;
	if (!in.n)
		return usage("batch: no dumps given (DUMP..., --from LIST or -)", NULL);
	if (b.resume && !b.output)
		return usage("--resume needs --output FILE", NULL);
	if (b.resume && load_done(b.output, &done, &ndone, &whole)) {
		fprintf(stderr, "memsect: %s: %s\n", b.output, strerror(errno));
		return 3;
	}
	todo = calloc(in.n, sizeof(*todo));
	r.tally = batch_tally_new();
	if (!todo || !r.tally)
		return 3;
	for (size_t i = 0; i < in.n; i++) {
		if (b.shard_n && i % b.shard_n != b.shard_k - 1)
			continue;
		if (!already(done, ndone, &in.v[i]))
			todo[ntodo++] = i;
	}
	r.out_fd = STDOUT_FILENO;
	if (b.output) {
		r.out_fd = open(b.output, O_WRONLY | O_CREAT | O_CLOEXEC |
				(b.resume ? 0 : O_TRUNC), 0644);
		if (r.out_fd < 0 || (b.resume && ftruncate(r.out_fd, whole)) ||
		    lseek(r.out_fd, 0, SEEK_END) < 0) {
			fprintf(stderr, "memsect: %s: %s\n", b.output, strerror(errno));
			return 3;
		}
	}
	for (size_t i = 0; i < ndone; i++)
		batch_tally_add(r.tally, &done[i]);
	r.b = &b;
	r.in = &in;
	r.total = ntodo;
	r.t0 = now();
	r.progress = isatty(STDERR_FILENO);
	schedule(&r, todo, ntodo);
	batch_tally_print(stderr, r.tally);
	ret = batch_tally_exit(r.tally);
	if (b.output && close(r.out_fd)) {
		fprintf(stderr, "memsect: %s: %s\n", b.output, strerror(errno));
		ret = 3;
	}
	batch_tally_free(r.tally);
	for (size_t i = 0; i < in.n; i++)
		free(in.v[i].path);
	free(in.v);
	free(todo);
	free(done);
	return ret;
}

int batch_summary_main(int argc, char **argv)
{
	struct batch_tally *t;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int ret;

	if (argc != 2)
		return usage("usage: memsect batch-summary FILE.jsonl", NULL);
	f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!f) {
		fprintf(stderr, "memsect: %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	t = batch_tally_new();
	if (!t)
		return 3;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct batch_record rec;

		if (line[n - 1] == '\n' && !batch_record_parse(line, (size_t)n - 1, &rec))
			batch_tally_add(t, &rec);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	batch_tally_print(stdout, t);
	ret = batch_tally_exit(t);
	batch_tally_free(t);
	return ret;
}

/* Unit tests of the event loop (loop.c): the poll set it keeps across
 * iterations. Pipes stand in for sockets: a byte in one is a ready fd. */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "loop.h"
#include "testlib.h"

struct watch {
	struct loop *l;
	int fd;
	int calls;
	struct watch *drop;   /* removed by this one's callback */
	int readd_fd;         /* set (again) by this one's callback, -1 none */
	struct watch *readd;  /* ... with this watch as its argument */
};

static void on_fd(int fd, short revents, void *arg)
{
	struct watch *w = arg;
	char c;
	(void)revents;
	w->calls++;
	if (read(fd, &c, 1) != 1)
		w->calls += 100; /* called without data: shows as a wrong count */
	if (w->drop)
		loop_fd_set(w->l, w->drop->fd, 0, NULL, NULL);
	if (w->readd_fd >= 0)
		loop_fd_set(w->l, w->readd_fd, POLLIN, on_fd, w->readd);
}

static void make_pipe(int p[2])
{
	CHECK(pipe(p) == 0);
}

static void poke(int fd)
{
	CHECK(write(fd, "x", 1) == 1);
}

/* Many fds, removed and re-set between iterations: each is called exactly
 * when it is ready and watched. */
static void test_set_kept_across_iterations(void)
{
	enum { N = 40 };
	struct loop *l = loop_new();
	struct watch w[N];
	int p[N][2], i, ok = 1;
	for (i = 0; i < N; i++) {
		make_pipe(p[i]);
		w[i] = (struct watch){ .l = l, .fd = p[i][0], .readd_fd = -1 };
		loop_fd_set(l, p[i][0], POLLIN, on_fd, &w[i]);
	}
	CHECK_INT_EQ(loop_fd_count(l), N);
	/* Every other one removed: the rest still dispatch. */
	for (i = 0; i < N; i += 2)
		loop_fd_set(l, p[i][0], 0, NULL, NULL);
	CHECK_INT_EQ(loop_fd_count(l), N / 2);
	for (i = 0; i < N; i++)
		poke(p[i][1]);
	CHECK_INT_EQ(loop_run_once(l, 100), N / 2);
	for (i = 0; i < N; i++)
		ok &= w[i].calls == (i % 2 ? 1 : 0);
	CHECK(ok);
	/* Re-set: the removed ones are back, with their pending byte. */
	for (i = 0; i < N; i += 2)
		loop_fd_set(l, p[i][0], POLLIN, on_fd, &w[i]);
	CHECK_INT_EQ(loop_fd_count(l), N);
	CHECK_INT_EQ(loop_run_once(l, 100), N / 2);
	for (i = 0, ok = 1; i < N; i++)
		ok &= w[i].calls == 1;
	CHECK(ok);
	/* Nothing ready: nothing called, the timeout is kept. */
	CHECK_INT_EQ(loop_run_once(l, 10), 0);
	/* Changing a watch's callback argument replaces it in place. */
	loop_fd_set(l, p[1][0], POLLIN, on_fd, &w[0]);
	poke(p[1][1]);
	CHECK_INT_EQ(loop_run_once(l, 100), 1);
	CHECK_INT_EQ(w[0].calls, 2);
	CHECK_INT_EQ(w[1].calls, 1);
	CHECK_INT_EQ(loop_fd_count(l), N);
	for (i = 0; i < N; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	loop_free(l);
}

/* A callback removes another ready fd: that one is not called. A callback
 * that closes an fd and watches a new one under the same number (as a
 * reconnecting socket does) does not hand the new one the old revents. */
static void test_changes_during_dispatch(void)
{
	struct loop *l = loop_new();
	struct watch a, b, c;
	int pa[2], pb[2], pc[2];
	make_pipe(pa);
	make_pipe(pb);
	make_pipe(pc);
	a = (struct watch){ .l = l, .fd = pa[0], .drop = &b, .readd_fd = -1 };
	b = (struct watch){ .l = l, .fd = pb[0], .readd_fd = -1 };
	c = (struct watch){ .l = l, .fd = pc[0], .readd_fd = -1 };
	loop_fd_set(l, pa[0], POLLIN, on_fd, &a);
	loop_fd_set(l, pb[0], POLLIN, on_fd, &b);
	loop_fd_set(l, pc[0], POLLIN, on_fd, &c);
	poke(pa[1]);
	poke(pb[1]);
	poke(pc[1]);
	CHECK_INT_EQ(loop_run_once(l, 100), 2);
	CHECK_INT_EQ(a.calls, 1);
	CHECK_INT_EQ(b.calls, 0);
	CHECK_INT_EQ(c.calls, 1);
	CHECK_INT_EQ(loop_fd_count(l), 2);

	/* a's callback drops c and watches its fd number again for a new
	 * owner (as a socket closed and reopened under the same number): the
	 * new watch gets no revents polled for the old one, only from the
	 * next iteration on. */
	{
		struct watch fresh = { .l = l, .fd = pc[0], .readd_fd = -1 };
		a.drop = &c;
		a.readd_fd = pc[0];
		a.readd = &fresh;
		poke(pa[1]);
		poke(pc[1]);
		CHECK_INT_EQ(loop_run_once(l, 100), 1);
		CHECK_INT_EQ(a.calls, 2);
		CHECK_INT_EQ(c.calls, 1);
		CHECK_INT_EQ(fresh.calls, 0);
		a.drop = NULL;
		a.readd_fd = -1;
		CHECK_INT_EQ(loop_run_once(l, 100), 1);
		CHECK_INT_EQ(fresh.calls, 1);
		CHECK_INT_EQ(c.calls, 1);
	}
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
	close(pc[0]);
	close(pc[1]);
	loop_free(l);
}

/* Timers: due ones run, a cancelled one never. */
static int timer_calls;

static void on_timer(void *arg)
{
	(void)arg;
	timer_calls++;
}

static void test_timers(void)
{
	struct loop *l = loop_new();
	uint64_t t;
	timer_calls = 0;
	loop_timer_add(l, 0, on_timer, NULL);
	t = loop_timer_add(l, 0, on_timer, NULL);
	loop_timer_cancel(l, t);
	loop_timer_add(l, 10000, on_timer, NULL);
	CHECK_INT_EQ(loop_run_once(l, 50), 1);
	CHECK_INT_EQ(timer_calls, 1);
	loop_free(l);
}

/* A regular file cannot be watched by epoll: it is always ready, as
 * poll() says, and still removable. */
static void test_regular_file(void)
{
	struct loop *l = loop_new();
	char path[] = "/tmp/carptop-loop-XXXXXX";
	int fd = mkstemp(path);
	struct watch w = { .l = l, .fd = fd, .readd_fd = -1 };
	CHECK(fd >= 0);
	unlink(path);
	CHECK(write(fd, "ab", 2) == 2);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	loop_fd_set(l, fd, POLLIN, on_fd, &w);
	CHECK_INT_EQ(loop_run_once(l, 1000), 1);
	CHECK_INT_EQ(w.calls, 1);
	loop_fd_set(l, fd, 0, NULL, NULL);
	CHECK_INT_EQ(loop_run_once(l, 10), 0);
	CHECK_INT_EQ(w.calls, 1);
	close(fd);
	loop_free(l);
}

static void all(void)
{
	RUN(test_set_kept_across_iterations);
	RUN(test_changes_during_dispatch);
	RUN(test_timers);
	RUN(test_regular_file);
}

int main(void)
{
	all(); /* epoll where there is one */
	loop_force_poll = true;
	all(); /* and poll() */
	return test_done();
}

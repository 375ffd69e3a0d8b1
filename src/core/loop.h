/* The one event loop: epoll (poll() where there is none) over every file descriptor (curl multi sockets,
 * ssh sockets, the keyboard) plus timers. Nothing else in carptop blocks. */
#ifndef CARPTOP_LOOP_H
#define CARPTOP_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(int fd, short revents, void *arg);
typedef void (*loop_timer_cb)(void *arg);

struct loop *loop_new(void);
/* Tests: loops made while this is set use poll() rather than epoll. */
extern bool loop_force_poll;
void loop_free(struct loop *l);

/* Watch fd for `events` (POLLIN|POLLOUT); events 0 removes the watch.
 * Re-setting an fd replaces its events, callback and argument. */
void loop_fd_set(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg);

/* Run cb once after delay_ms. Returns an id > 0 for loop_timer_cancel. */
/* File descriptors watched now. */
size_t loop_fd_count(const struct loop *l);

uint64_t loop_timer_add(struct loop *l, double delay_ms, loop_timer_cb cb, void *arg);
void loop_timer_cancel(struct loop *l, uint64_t id);

/* Wait at most max_wait_ms (-1: until something happens) and dispatch what
 * is ready. Returns the number of callbacks run, or -1 on a poll() error
 * other than EINTR. */
int loop_run_once(struct loop *l, int max_wait_ms);

/* Ask loop_run() to return; loop_run() runs until then. */
void loop_quit(struct loop *l);
bool loop_quitting(const struct loop *l);
void loop_run(struct loop *l);

#endif

/* SPDX-License-Identifier: MIT */
/* Partition life cycle: stopping, restarting by policy, the service partition's stop/start/restart. */
#include "arch/x86/fpu.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/tsc.h"
#include "include/abi/hypercall.h"
#include "include/abi/startinfo.h"
#include "vmm/format.h"
#include "vmm/log.h"
#include "vmm/partition.h"
#include "vmm/sched.h"

/*
 * g->life: what g's own CPU must do at its next turn boundary (partition_cpu_work). Any
 * CPU asks, under life_lock; only g's CPU acts, where its vCPU is not in the guest,
 * because a VMCS/VMCB can only be set up on the CPU that runs it.
 */
#define LIFE_STOPPED	(1u << 0)	/* its vCPU stopped: close its events, apply the policy */
#define LIFE_STOP	(1u << 1)	/* the service partition: stop it */
#define LIFE_START	(1u << 2)	/* the service partition: start it (after LIFE_STOP) */
#define LIFE_BUSY	(1u << 3)	/* its CPU is carrying out the above */
/* g->life_flags, its CPU's own: a restart by its policy waits for g->restart_at. */
#define LIFE_DELAYED	(1u << 0)

/*
 * Automatic restarts of one partition; after that it stays stopped (a crash loop). Each
 * waits RESTART_DELAY_MS << min(restarts so far, RESTART_DELAY_SHIFT_MAX) first: a crash
 * loop slows down, and the peers see their links down for a moment before they come back.
 */
#define RESTART_CAP		8u
#define RESTART_DELAY_MS	50u
#define RESTART_DELAY_SHIFT_MAX	3u	/* 50, 100, 200, then 400 ms each */

/* Protects every g->life and g->live, and live_count. Never held across slow work. */
static struct spinlock life_lock;
/* Partitions that run or will run again: while > 0 every CPU keeps scheduling. */
static unsigned int live_count;

static bool life_live(void)
{
	return __atomic_load_n(&live_count, __ATOMIC_ACQUIRE) != 0;
}

void partition_life_begin(void)
{
	unsigned int n = partition_count();

	for (unsigned int i = 0; i < n; i++)
		partition_get(i)->live = true;
	__atomic_store_n(&live_count, n, __ATOMIC_RELEASE);
}

bool partition_live(void)
{
	return life_live();
}

/* Under life_lock. The last one wakes every CPU, so that they stop waiting for work. */
static void unlive(struct guest *g)
{
	if (!g->live)
		return;
	g->live = false;
	if (__atomic_sub_fetch(&live_count, 1, __ATOMIC_SEQ_CST) == 0)
		sched_wake_all();
}

void partition_ended(struct guest *g)
{
	uint64_t flags = spin_lock_irqsave(&life_lock);

	unlive(g);
	spin_unlock_irqrestore(&life_lock, flags);
}

void partition_stopped(struct guest *g, enum guest_state state)
{
	uint64_t flags;

	if (!g->managed) {
		g->state = state;
		partition_ended(g);	/* guests= partitions have no policy */
		return;
	}
	/* Together: the service partition never sees it stopped with no decision pending. */
	flags = spin_lock_irqsave(&life_lock);
	g->state = state;
	g->life |= LIFE_STOPPED;
	spin_unlock_irqrestore(&life_lock, flags);
	sched_poke(g->cpu);	/* this CPU: runs the work once the exit handling is over */
}

/* ---- on the partition's own CPU, between turns ---- */

/*
 * What the service partition sees of a change (HC_PART_LIST's state and restarts): made
 * visible in one step, with the end of the change (life_done), so that by the time it
 * sees the new state its next call is no longer refused with -HV_EBUSY.
 */
struct life_outcome {
	enum guest_state state;
	bool restarted;
};

/* The service partition's stop of a vCPU that is runnable or halted, not in the guest. */
static void stop_now(struct guest *g, struct life_outcome *o)
{
	if (g->line_len)
		guest_console(g, "\n", 1);
	hv_snprintf(g->why, sizeof(g->why), "stopped by the service partition");
	o->state = GUEST_STOPPED;
	sched_stopped(&g->vcpu);
	pr_info("guest: %s stopped: by the service partition (cpu %u)", g->name, g->cpu);
}

/* The manifest's restart policy for a partition that ended on its own. */
static bool policy_restarts(const struct guest *g)
{
	if (g->restart == GUEST_RESTART_NEVER)
		return false;
	if (g->restart == GUEST_RESTART_ON_FAILURE && g->state == GUEST_EXITED &&
	    g->exit_status == 0)
		return false;
	if (g->auto_restarts < RESTART_CAP)
		return true;
	pr_err("partition: %s not restarted: restarted %u times already (%s)", g->name,
	       g->auto_restarts, g->why);
	return false;
}

/*
 * From its image, with fresh memory, registers, start info and VMCS/VMCB; then its
 * event channels open (the peers' links come up with a new epoch) and it is runnable.
 * Its channel windows stay mapped: the rings are re-attached by the ends (docs/ring.md).
 */
static int start_again(struct guest *g)
{
	int ret = guest_reload(g);

	if (ret)
		return ret;
	partition_write_start_info(g, g->restarts + 1);
	ret = partition_vcpu_setup(g);
	if (ret)
		return ret;
	if (g->vcpu.fpu_area)
		fpu_area_reset(g->vcpu.fpu_area);
	ret = partition_events_open(g);
	if (ret)
		return ret;
	return sched_restart(&g->vcpu);
}

static void restart(struct guest *g, bool by_policy, const char *why, struct life_outcome *o)
{
	int ret = start_again(g);

	if (ret) {
		pr_err("partition: %s cannot be restarted (error %d): stays stopped", g->name, ret);
		o->state = GUEST_STOPPED;
		partition_events_close(g);	/* if it got as far as opening them */
		partition_ended(g);
		return;
	}
	if (by_policy)
		g->auto_restarts++;
	o->state = GUEST_RUNNING;
	o->restarted = true;
	pr_info("partition: %s restarted (%u): %s", g->name, g->restarts + 1, why);
}

/* A restart by policy, once its delay has passed; the requests still pending. */
static uint32_t restart_when_due(struct guest *g, struct life_outcome *o)
{
	uint64_t now = rdtsc();

	if (!(g->life_flags & LIFE_DELAYED)) {
		unsigned int shift = g->auto_restarts < RESTART_DELAY_SHIFT_MAX ?
				     g->auto_restarts : RESTART_DELAY_SHIFT_MAX;

		g->life_flags |= LIFE_DELAYED;
		g->restart_at = now + tsc_hz() / 1000 * (RESTART_DELAY_MS << shift);
	}
	if (now < g->restart_at) {
		sched_poke_at(g->restart_at);
		return LIFE_STOPPED;
	}
	g->life_flags &= ~LIFE_DELAYED;
	restart(g, true, g->why, o);
	return 0;
}

/* Carries out what was asked of g, whose vCPU is not in the guest now; returns what
 * must wait for a later turn. */
static uint32_t life_work(struct guest *g, uint32_t req, struct life_outcome *o)
{
	if ((req & LIFE_STOP) && g->vcpu.state != VCPU_STOPPED)
		stop_now(g, o);
	if (g->vcpu.state != VCPU_STOPPED)
		return 0;
	/* Down before anything else: its peers see PEER_DOWN, sends to it fail. */
	partition_events_close(g);
	if (req & LIFE_START) {
		g->life_flags &= ~LIFE_DELAYED;
		restart(g, false, "by the service partition", o);
	} else if (!(req & LIFE_STOP) && (g->life_flags & LIFE_DELAYED || policy_restarts(g))) {
		return restart_when_due(g, o);	/* it ended on its own */
	} else {
		partition_ended(g);
	}
	return 0;
}

/* Takes g's requests, marking it busy meanwhile: the service partition's calls wait. */
static uint32_t life_take(struct guest *g)
{
	uint64_t flags = spin_lock_irqsave(&life_lock);
	uint32_t req = g->life & ~LIFE_BUSY;

	g->life = req ? LIFE_BUSY : 0;
	spin_unlock_irqrestore(&life_lock, flags);
	return req;
}

/*
 * The change is over: its outcome visible, and g free for the next call. keep: requests
 * left for a later turn (a delayed restart), which calls still see as -HV_EBUSY.
 */
static void life_done(struct guest *g, uint32_t keep, const struct life_outcome *o)
{
	uint64_t flags = spin_lock_irqsave(&life_lock);

	g->state = o->state;
	if (o->restarted)
		g->restarts++;
	g->life = (g->life & ~LIFE_BUSY) | keep;
	spin_unlock_irqrestore(&life_lock, flags);
}

static void partition_cpu_work(unsigned int cpu)
{
	unsigned int n = partition_count();

	for (unsigned int i = 0; i < n; i++) {
		struct guest *g = partition_get(i);
		struct life_outcome o = { .state = g->state };
		uint32_t req, keep;

		if (g->cpu != cpu || !g->queued)
			continue;
		req = life_take(g);
		if (!req)
			continue;
		keep = life_work(g, req, &o);
		life_done(g, keep, &o);
	}
}

const struct sched_hooks partition_sched_hooks = {
	.work = partition_cpu_work,
	.live = life_live,
};

/* ---- the service partition's hypercalls ---- */

/* Under life_lock: may `what` be asked of g now? 0 or the error the call returns. */
static int64_t life_check(const struct guest *g, uint32_t what)
{
	bool running = g->state == GUEST_RUNNING;

	if (g->life)
		return -HV_EBUSY;	/* a stop, start or restart of it is under way */
	if (!g->queued)
		return -HV_EIO;		/* its vCPU could not be set up at boot */
	if (what == LIFE_STOP && !running)
		return -HV_EEXIST;	/* already stopped or exited */
	if (what == LIFE_START && running)
		return -HV_EEXIST;	/* already running */
	return 0;
}

/* Asks child id's CPU to stop and/or start it; the state changes there, shortly after. */
static int64_t life_request(struct vcpu *v, uint64_t id, uint32_t what)
{
	struct guest *g = partition_get(id);
	uint64_t flags;
	int64_t ret;

	if (v->guest->role != HV_ROLE_SERVICE || !v->guest->managed)
		return -HV_EPERM;
	if (!g || g == v->guest || !g->managed)
		return -HV_EINVAL;
	flags = spin_lock_irqsave(&life_lock);
	ret = life_check(g, what);
	if (!ret) {
		g->life = what;
		/* It will run again: the system must not end meanwhile. */
		if ((what & LIFE_START) && !g->live) {
			g->live = true;
			__atomic_add_fetch(&live_count, 1, __ATOMIC_SEQ_CST);
		}
	}
	spin_unlock_irqrestore(&life_lock, flags);
	if (!ret)
		sched_poke(g->cpu);
	return ret;
}

int64_t partition_stop(struct vcpu *v, uint64_t id)
{
	return life_request(v, id, LIFE_STOP);
}

int64_t partition_start(struct vcpu *v, uint64_t id)
{
	return life_request(v, id, LIFE_START);
}

int64_t partition_restart(struct vcpu *v, uint64_t id)
{
	return life_request(v, id, LIFE_STOP | LIFE_START);
}

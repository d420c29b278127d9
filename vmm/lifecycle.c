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

/* v->up_req (struct vcpu): no bring-up, one asked for, or one being carried out. */
#define UP_NONE		0
#define UP_ASKED	1
#define UP_BUSY		2

/*
 * Protects every g->life, g->live, g->stopping, v->up_req and live_count. Never held
 * across slow work.
 */
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

/*
 * After stopping is set under life_lock: each vCPU of g still up stops at its next
 * entry (VCPU_ATTN_STOP), and pokes g's home CPU once it has (partition_vcpu_stopped).
 */
static void stop_others(struct guest *g)
{
	for (unsigned int i = 0; i < g->nvcpus; i++) {
		struct vcpu *v = &g->vcpus[i];

		if (__atomic_load_n(&v->state, __ATOMIC_SEQ_CST) == VCPU_STOPPED || !v->queued)
			continue;
		__atomic_fetch_or(&v->attn, VCPU_ATTN_STOP, __ATOMIC_SEQ_CST);
		sched_wake(v);
	}
}

/* Under life_lock: g stops as a whole; false if it was stopping already. */
static bool set_stopping(struct guest *g)
{
	if (g->stopping)
		return false;
	g->stopping = true;
	for (unsigned int i = 1; i < g->nvcpus; i++)
		if (g->vcpus[i].up_req == UP_ASKED)
			g->vcpus[i].up_req = UP_NONE;	/* a bring-up not yet taken: dropped */
	return true;
}

void partition_stopped(struct guest *g, enum guest_state state)
{
	uint64_t flags;
	bool first;

	if (!g->managed) {
		g->state = state;
		partition_ended(g);	/* guests= partitions have no policy */
		return;
	}
	/* Together: the service partition never sees it stopped with no decision pending. */
	flags = spin_lock_irqsave(&life_lock);
	first = set_stopping(g);
	if (first)
		g->state = state;
	g->life |= LIFE_STOPPED;
	spin_unlock_irqrestore(&life_lock, flags);
	if (first)
		stop_others(g);
	sched_poke(g->cpu);	/* its home CPU: runs the work once every vCPU has stopped */
}

void partition_vcpu_stopped(struct vcpu *v)
{
	sched_stopped(v);
	sched_poke(v->guest->cpu);
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
	uint64_t flags;
	bool first;

	if (g->line_len)
		guest_console_out(g, "\n", 1);
	hv_snprintf(g->why, sizeof(g->why), "stopped by the service partition");
	o->state = GUEST_STOPPED;
	flags = spin_lock_irqsave(&life_lock);
	first = set_stopping(g);
	spin_unlock_irqrestore(&life_lock, flags);
	sched_stopped(&g->vcpus[0]);
	if (first)
		stop_others(g);
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
	ret = partition_vcpu_setup(&g->vcpus[0]);
	if (ret)
		return ret;
	if (g->vcpus[0].fpu_area)
		fpu_area_reset(g->vcpus[0].fpu_area);
	ret = partition_events_open(g);
	if (ret)
		return ret;
	return sched_restart(&g->vcpus[0]);
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

/* Every vCPU of g stopped, none being brought up: its memory may change. */
static bool all_stopped(const struct guest *g)
{
	for (unsigned int i = 0; i < g->nvcpus; i++)
		if (__atomic_load_n(&g->vcpus[i].state, __ATOMIC_SEQ_CST) != VCPU_STOPPED ||
		    __atomic_load_n(&g->vcpus[i].up_req, __ATOMIC_SEQ_CST) == UP_BUSY)
			return false;
	return true;
}

/* Carries out what was asked of g, whose vCPU is not in the guest now; returns what
 * must wait for a later turn. */
static uint32_t life_work(struct guest *g, uint32_t req, struct life_outcome *o)
{
	if ((req & LIFE_STOP) && g->vcpus[0].state != VCPU_STOPPED)
		stop_now(g, o);
	if (!all_stopped(g))
		return req;	/* the last vCPU to stop pokes this CPU again */
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

/* ---- secondary vCPUs: brought up by vCPU 0 (HC_VCPU_UP), set up on their own CPU ---- */

/* Under life_lock: whether v's bring-up goes ahead (it is then UP_BUSY). */
static bool up_take(struct vcpu *v)
{
	uint64_t flags = spin_lock_irqsave(&life_lock);
	bool go = v->up_req == UP_ASKED && !v->guest->stopping;

	if (go)
		v->up_req = UP_BUSY;
	spin_unlock_irqrestore(&life_lock, flags);
	return go;
}

/* Back end and scheduler: v's part, on its CPU. */
static int up_setup(struct vcpu *v)
{
	struct guest *g = v->guest;
	int ret;

	guest_vcpu_reset(g, v->id, v->up_rip, HV_VCPU_UP_MAGIC, v->up_arg, v->id);
	ret = partition_vcpu_setup(v);
	if (ret)
		return ret;
	if (v->fpu_area)
		fpu_area_reset(v->fpu_area);
	if (!v->queued) {
		ret = sched_add(v);	/* its first time: it starts VCPU_STOPPED, uncounted */
		if (ret)
			return ret;
		v->queued = true;
	}
	return 0;
}

/* v runs unless its partition began to stop meanwhile; either way the bring-up is over. */
static void up_finish(struct vcpu *v, int err)
{
	struct guest *g = v->guest;
	uint64_t flags = spin_lock_irqsave(&life_lock);
	bool run = !err && !g->stopping;

	if (run && sched_restart(v))
		run = false;
	v->up_req = UP_NONE;
	spin_unlock_irqrestore(&life_lock, flags);
	if (err)
		pr_err("partition: %s vcpu %u cannot start (error %d)", g->name, v->id, err);
	else if (run)
		pr_info("partition: %s vcpu %u up on cpu %u at 0x%llx", g->name, v->id, v->cpu,
			(unsigned long long)v->rip);
	if (!run)
		sched_poke(g->cpu);	/* its home CPU may be waiting for every vCPU to stop */
}

static void up_vcpus(unsigned int cpu)
{
	for (unsigned int i = 0; i < partition_count(); i++) {
		struct guest *g = partition_get(i);

		for (unsigned int k = 1; k < g->nvcpus; k++) {
			struct vcpu *v = &g->vcpus[k];

			if (v->cpu == cpu && __atomic_load_n(&v->up_req, __ATOMIC_SEQ_CST) &&
			    up_take(v))
				up_finish(v, up_setup(v));
		}
	}
}

int64_t partition_vcpu_up(struct vcpu *v, uint64_t index, uint64_t rip, uint64_t arg)
{
	struct guest *g = v->guest;
	struct vcpu *t;
	uint64_t flags;
	int64_t ret = 0;

	if (!g->managed)
		return -HV_ENOSYS;
	if (index == 0 || index >= g->nvcpus || rip >= g->mem.size || arg >> 32)
		return -HV_EINVAL;
	t = &g->vcpus[index];
	flags = spin_lock_irqsave(&life_lock);
	if (g->stopping)
		ret = -HV_EBUSY;
	else if (t->up_req || __atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != VCPU_STOPPED)
		ret = -HV_EEXIST;	/* already up, or being brought up */
	else {
		t->up_rip = rip;
		t->up_arg = arg;
		t->up_req = UP_ASKED;
	}
	spin_unlock_irqrestore(&life_lock, flags);
	if (!ret)
		sched_poke(t->cpu);
	return ret;
}

static void partition_cpu_work(unsigned int cpu)
{
	unsigned int n = partition_count();

	up_vcpus(cpu);
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

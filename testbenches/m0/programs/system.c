/* System instructions and the exception model: MRS/MSR, CPS, CONTROL and the process stack,
 * unprivileged Thread mode, barriers, SVC, PendSV, SysTick, NVIC priorities with nested,
 * same-priority and tail-chained interrupts (pended by software), and SCS registers. */
#include "semihost.h"

#define SYST_CSR REG32(0xE000E010)
#define SYST_RVR REG32(0xE000E014)
#define SYST_CVR REG32(0xE000E018)
#define NVIC_ISER REG32(0xE000E100)
#define NVIC_ICER REG32(0xE000E180)
#define NVIC_ISPR REG32(0xE000E200)
#define NVIC_ICPR REG32(0xE000E280)
#define NVIC_IPR0 REG32(0xE000E400)
#define CPUID REG32(0xE000ED00)
#define ICSR REG32(0xE000ED04)
#define AIRCR REG32(0xE000ED0C)
#define CCR REG32(0xE000ED14)
#define SHPR2 REG32(0xE000ED1C)
#define SHPR3 REG32(0xE000ED20)

static volatile uint32_t order[64];
static volatile uint32_t n_order;
static volatile uint32_t ticks;
static volatile uint32_t scenario;

static uint32_t ipsr(void) {
    uint32_t v;
    __asm__ volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}
static void sync(void) { __asm__ volatile("dsb\n\tisb" ::: "memory"); }
static void note(uint32_t v) { order[n_order++] = v; }

static void show_order(const char *name) {
    sh_puts(name);
    sh_puts(":");
    for (uint32_t i = 0; i < n_order; i++) {
        sh_puts(" ");
        print_dec((int32_t)order[i]);
    }
    sh_puts("\n");
    n_order = 0;
}

/* IRQ0 (priority 2): in scenario 1 pends IRQ1 (priority 0), which preempts it at once. */
void irq0_handler(void) {
    note(ipsr());
    if (scenario == 1) {
        NVIC_ISPR = 1u << 1;
        sync();
    }
    note(100 + ipsr());
}
void irq1_handler(void) { note(ipsr()); }
/* IRQ2 (priority 2): in scenario 3 pends IRQ0 (same priority): it waits, then tail-chains. */
void irq2_handler(void) {
    note(ipsr());
    if (scenario == 3) {
        NVIC_ISPR = 1u << 0;
        sync();
        note(200);
    }
    note(100 + ipsr());
}
void irq3_handler(void) {
    note(ipsr());
    if (scenario == 4) {
        /* PendSV (priority 3, the same): runs only after this handler */
        ICSR = 1u << 28;
        sync();
        note(300);
    }
}
void pendsv_handler(void) { note(ipsr()); }
/* The fifth tick stops SysTick itself (and drops a tick already pending), so the count does not
 * depend on how fast QEMU's virtual clock runs against the instructions. */
void systick_handler(void) {
    if (++ticks == 5) {
        SYST_CSR = 0;
        ICSR = 1u << 25;
    }
}

/* SVC: the immediate is read back from the instruction before the stacked PC; stacked R0 is
 * returned plus the immediate. */
void svc_entry(uint32_t *frame) {
    uint16_t insn = *(uint16_t *)(frame[6] - 2);
    note(ipsr());
    note(insn & 0xFF);
    frame[0] += insn & 0xFF;
    if ((insn & 0xFF) == 0) __asm__ volatile("msr control, %0" ::"r"(0u)); /* clear nPRIV */
    if ((insn & 0xFF) == 9) {
        /* Process stack only: move the frame down a word and mark it realigned (xPSR bit 9). The
         * return then pops from a frame that is not 8-byte aligned, and SP becomes
         * (frame + 0x20) OR 4, as PopStack says, which is not frame + 0x24. */
        uint32_t *moved = frame - 1;
        for (int i = 0; i < 8; i++) moved[i] = frame[i];
        moved[7] |= 1u << 9;
        __asm__ volatile("msr psp, %0" ::"r"(moved) : "memory");
    }
}
__attribute__((naked)) void svc_handler(void) {
    __asm__ volatile(
        "movs r0, #4\n\t"
        "mov r1, lr\n\t"
        "tst r0, r1\n\t"
        "beq 1f\n\t"
        "mrs r0, psp\n\t"
        "b 2f\n"
        "1: mrs r0, msp\n"
        "2: push {lr}\n\t"
        "bl svc_entry\n\t"
        "pop {pc}\n\t");
}

static uint32_t svc7(uint32_t x) {
    register uint32_t r0 __asm__("r0") = x;
    __asm__ volatile("svc #7" : "+r"(r0) : : "memory");
    return r0;
}

/* SVC #9 on the process stack: how far SP drops across it (the handler moves the frame down a
 * word; SP is put back afterwards). 4 when SP was 8-byte aligned at the SVC, else 8. */
static uint32_t svc9_sp_drop(void) {
    uint32_t before, after;
    __asm__ volatile("mov %0, sp\n\t"
                     "svc #9\n\t"
                     "mov %1, sp\n\t"
                     "mov sp, %0\n\t"
                     : "=&l"(before), "=&l"(after)
                     :
                     : "r0", "r1", "r2", "r3", "r12", "lr", "memory");
    return before - after;
}

static uint32_t psp_stack[64];

static void on_psp(void) {
    uint32_t v, sp, psp;
    __asm__ volatile("mrs %0, control" : "=r"(v));
    show("control_psp", v);
    __asm__ volatile("mov %0, sp\n\tmrs %1, psp" : "=r"(sp), "=r"(psp));
    show("sp_is_psp", sp == psp && sp < (uint32_t)&psp_stack[64] && sp >= (uint32_t)&psp_stack[0]);
    show("svc_on_psp", svc7(1));
    show("svc_realigned_frame_sp_drop", svc9_sp_drop());
    /* Cortex-M0 has no unprivileged mode: CONTROL.nPRIV reads as zero and ignores writes */
    __asm__ volatile("msr control, %0\n\tisb" ::"r"(3u));
    __asm__ volatile("mrs %0, control" : "=r"(v));
    show("control_npriv_raz", v);
    /* SVC #0 writes CONTROL = 0 in Handler mode: SPSEL comes back from EXC_RETURN */
    (void)svc7(0);
    __asm__ volatile("mrs %0, control" : "=r"(v));
    show("control_after_svc0", v);
}

/* Runs fn in Thread mode on the process stack starting at top, then returns to the main stack. */
__attribute__((naked)) static void call_on_psp(void (*fn)(void), uint32_t *top) {
    __asm__ volatile(
        "push {r4, lr}\n\t"
        "msr psp, r1\n\t"
        "movs r2, #2\n\t"
        "msr control, r2\n\t"
        "isb\n\t"
        "blx r0\n\t"
        "movs r2, #0\n\t"
        "msr control, r2\n\t"
        "isb\n\t"
        "pop {r4, pc}\n\t");
}

int main(void) {
    uint32_t v;
    /* special registers */
    __asm__ volatile("mrs %0, control" : "=r"(v));
    show("control", v);
    __asm__ volatile("mrs %0, primask" : "=r"(v));
    show("primask", v);
    __asm__ volatile("cpsid i\n\tmrs %0, primask\n\tcpsie i" : "=r"(v));
    show("primask_set", v);
    __asm__ volatile("msr apsr_nzcvq, %1\n\tmrs %0, apsr" : "=r"(v) : "r"(0xA0000000u));
    show("apsr", v);
    __asm__ volatile("msr apsr_nzcvq, %1\n\tmrs %0, xpsr" : "=r"(v) : "r"(0x50000000u));
    show("xpsr_thread", v & 0xF000003F);
    __asm__ volatile("mrs %0, iapsr" : "=r"(v));
    show("iapsr", v & 0xF000003F);
    __asm__ volatile("dmb\n\tdsb\n\tisb\n\tnop\n\tsev\n\twfe\n\tyield");
    show("ipsr", ipsr());

    /* SCS identification and priority fields: 2 priority bits per field */
    show("cpuid", CPUID);
    show("ccr", CCR);
    show("aircr", AIRCR & 0xFFFF0000);
    NVIC_IPR0 = 0xFFFFFFFF;
    show("ipr0_all", NVIC_IPR0);
    SHPR2 = 0xFFFFFFFF;
    SHPR3 = 0xFFFFFFFF;
    show("shpr2", SHPR2);
    /* byte 0 of SHPR3 is reserved on ARMv6-M; QEMU implements it (DebugMonitor, a v7-M
     * exception) and reads back 0xC0 there, so it is masked off here */
    show("shpr3", SHPR3 & 0xFFFFFF00);
    SHPR2 = 0;
    SHPR3 = 0xC0C00000; /* SysTick 3, PendSV 3 */

    /* IRQ priorities: IRQ0 2, IRQ1 0, IRQ2 2, IRQ3 3 */
    NVIC_IPR0 = 0xC0800080;
    NVIC_ISER = 0xF;
    show("iser", NVIC_ISER);

    scenario = 1; /* nesting: IRQ1 preempts IRQ0 */
    NVIC_ISPR = 1u << 0;
    sync();
    show_order("nested");

    scenario = 2; /* three pending at once, released together: priority, then number */
    __asm__ volatile("cpsid i");
    NVIC_ISPR = 0xD; /* IRQ0, IRQ2, IRQ3 */
    show("ispr", NVIC_ISPR);
    v = ICSR;
    show("icsr_vectpending", (v >> 12) & 0x1FF);
    show("icsr_isrpending", (v >> 22) & 1);
    __asm__ volatile("cpsie i" ::: "memory");
    sync();
    show_order("tail_chained");

    scenario = 3; /* same priority does not preempt */
    NVIC_ISPR = 1u << 2;
    sync();
    show_order("same_priority");

    scenario = 4; /* PendSV from IRQ3 at the same priority */
    NVIC_ISPR = 1u << 3;
    sync();
    show_order("pendsv");

    /* a disabled interrupt pends but is not taken */
    NVIC_ICER = 1u << 2;
    NVIC_ISPR = 1u << 2;
    sync();
    show("disabled_pending", NVIC_ISPR);
    NVIC_ICPR = 1u << 2;
    show("cleared", NVIC_ISPR);
    show_order("disabled");

    /* SVC from privileged Thread mode */
    show("svc_result", svc7(35));
    show_order("svc");

    /* Thread mode on the process stack, then unprivileged (in a function with its own stack) */
    call_on_psp(on_psp, &psp_stack[64]);
    __asm__ volatile("mrs %0, control" : "=r"(v));
    show("control_back", v);
    show_order("psp");

    /* SysTick: five interrupts, waited for with WFI */
    ticks = 0;
    SYST_RVR = 999;
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (ticks < 5) __asm__ volatile("wfi");
    show("ticks", ticks);
    show("countflag", (SYST_CSR >> 16) & 1);
    show("countflag_cleared", (SYST_CSR >> 16) & 1);
    show("rvr", SYST_RVR);

    sh_puts("system done\n");
    return 0;
}

/* The HardFault paths QEMU's microbit cannot check, run in lock-step (RTL against the ISS) only:
 * BX to an even address (EPSR.T = 0: QEMU re-runs the code after it), an invalid EXC_RETURN
 * (UNPREDICTABLE on ARMv6-M; QEMU hangs), a load and a fetch at 0x30000000 (the lock-step bench
 * answers ERROR there; QEMU's board reads it as zero), and a fetch from the execute-never region. */
#include "semihost.h"

static volatile uint32_t faults;
static volatile uint32_t last_pc, last_xpsr, last_lr_kind, recover_to;
static volatile uint32_t fix; /* what the handler does: 0 skip a 16-bit instruction, 1 resume at recover_to with T set, 2 return to the stacked LR, 3 nothing */

void hardfault_entry(uint32_t *frame, uint32_t exc_return) {
    faults++;
    last_pc = frame[6];
    last_xpsr = frame[7];
    last_lr_kind = exc_return & 0xF;
    if (fix == 0) {
        frame[6] += 2;
    } else if (fix == 1) {
        frame[6] = recover_to & ~1u;
        frame[7] |= 1u << 24;
    } else if (fix == 2) {
        frame[6] = frame[5] & ~1u;
        frame[7] |= 1u << 24;
    }
}

__attribute__((naked)) void hardfault_handler(void) {
    __asm__ volatile(
        "movs r0, #4\n\t"
        "mov r1, lr\n\t"
        "tst r0, r1\n\t"
        "beq 1f\n\t"
        "mrs r0, psp\n\t"
        "b 2f\n"
        "1: mrs r0, msp\n"
        "2: push {lr}\n\t"
        "bl hardfault_entry\n\t"
        "pop {pc}\n\t");
}

static void report(const char *name, uint32_t expected_pc) {
    sh_puts(name);
    sh_puts(": faults ");
    print_dec((int32_t)faults);
    sh_puts(", stacked pc ");
    sh_puts(last_pc == expected_pc ? "as expected" : "WRONG");
    sh_puts(", exc_return ");
    print_hex(last_lr_kind);
    sh_puts(", ipsr ");
    print_dec((int32_t)(last_xpsr & 0x3F));
    sh_puts(", T ");
    print_dec((int32_t)((last_xpsr >> 24) & 1));
    sh_puts("\n");
    faults = 0;
}


/* SVC handler that tries an invalid EXC_RETURN (0xFFFFFFF5) once, then returns normally. */
__attribute__((naked)) void svc_handler(void) {
    __asm__ volatile(
        "push {lr}\n\t"
        "ldr r0, =0xFFFFFFF5\n\t"
        ".global bad_return\n"
        "bad_return:\n\t"
        "bx r0\n\t"
        "pop {pc}\n\t"
        ".ltorg\n\t");
}
extern char bad_return[];

int main(void) {
    uint32_t pc, v = 0;

    /* BX to an even address: EPSR.T = 0, the fault is at the target */
    fix = 1;
    __asm__ volatile("adr %0, 1f\n\t"
                     "str %0, [%1]\n\t"
                     "bx %0\n\t"
                     ".align 2\n"
                     "1: nop\n\t"
                     : "=&l"(pc)
                     : "l"(&recover_to)
                     : "memory");
    report("bx_even", pc);

    /* invalid EXC_RETURN from the SVC handler: HardFault at the BX, then skip it */
    fix = 0;
    __asm__ volatile("svc #2" ::: "memory");
    report("bad_exc_return", (uint32_t)bad_return & ~1u);

    /* load from unmapped memory: a bus error */
    __asm__ volatile("adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: ldr %1, [%2]\n\t"
                     : "=&l"(pc), "+l"(v)
                     : "l"(0x30000000));
    report("bus_error_load", pc);

    /* fetch from unmapped memory and from the execute-never region: return to LR */
    fix = 2;
    void (*f)(void) = (void (*)(void))0x30000001;
    f();
    report("bus_error_fetch", 0x30000000);
    f = (void (*)(void))0xF0000001;
    f();
    report("execute_never", 0xF0000000);

    sh_puts("faults done\n");
    return 0;
}

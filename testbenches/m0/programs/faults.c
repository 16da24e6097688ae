/* The HardFault paths QEMU's microbit cannot check, run in lock-step (RTL against the ISS) only:
 * BX to an even address (EPSR.T = 0: QEMU re-runs the code after it), an invalid EXC_RETURN
 * (UNPREDICTABLE on ARMv6-M; QEMU hangs), a load and a fetch at 0x30000000 (the lock-step bench
 * answers ERROR there; QEMU's board reads it as zero), a fetch from the execute-never region, the
 * 32-bit UDF.W, and LDM/POP/STM/PUSH whose transfer errors part-way (registers loaded before the
 * error keep their values; the base register, or SP, gets its old value back). The bench also
 * answers ERROR at the SRAM word 0x20002000 (cases.rs, FAULTS_ERROR_RANGES), so PUSH and POP can
 * fault half-way with SP mid-SRAM, where the HardFault frame below SP harms nothing. */
#include "semihost.h"

#include "fault_handler.h"


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

/* Runs `insn` (a PUSH or POP) with SP = `sp` for that one instruction; `pc` gets its address and
 * `sp_after` the SP it left (after the HardFault handler skipped it). */
#define SP_TRANSFER(insn, sp, pc, sp_after)                                                          \
    __asm__ volatile("mov r4, sp\n\t"                                                                \
                     "ldr r5, =" #sp "\n\t"                                                          \
                     "mov sp, r5\n\t"                                                                \
                     "adr %0, 1f\n\t"                                                                \
                     ".align 2\n"                                                                     \
                     "1: " insn "\n\t"                                                               \
                     "mov %1, sp\n\t"                                                                \
                     "mov sp, r4\n\t"                                                                \
                     "b 2f\n\t"                                                                      \
                     ".ltorg\n"                                                                       \
                     "2:\n\t"                                                                        \
                     : "=&l"(pc), "=&l"(sp_after)                                                      \
                     :                                                                                \
                     : "r2", "r3", "r4", "r5", "memory")

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

    /* UDF.W, the 32-bit permanently undefined encoding: HardFault at its first halfword */
    fix = 1;
    __asm__ volatile("adr %0, 2f\n\t"
                     "str %0, [%1]\n\t"
                     "adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: .short 0xf7f0, 0xa000\n"
                     "2:\n\t"
                     : "=&l"(pc)
                     : "l"(&recover_to)
                     : "memory");
    report("udf_w", pc);

    /* LDM next to the erroring word: the second word errors */
    fix = 0;
    uint32_t base = 0x20001FFCu, first = 0;
    __asm__ volatile("adr %0, 1f\n\t"
                     "movs r2, #7\n\t"
                     "movs r3, #7\n\t"
                     ".align 2\n"
                     "1: ldm %1!, {r2, r3}\n\t"
                     "mov %2, r2\n\t"
                     : "=&l"(pc), "+l"(base), "+l"(first)
                     :
                     : "r2", "r3", "memory");
    report("ldm_partial", pc);
    sh_puts("ldm_partial: base ");
    print_hex(base);
    sh_puts(", r2 ");
    print_hex(first);
    sh_puts("\n");

    /* STM next to the erroring word: the first word is stored, the second errors */
    base = 0x20001FFCu;
    __asm__ volatile("adr %0, 1f\n\t"
                     "movs r2, #5\n\t"
                     "movs r3, #6\n\t"
                     ".align 2\n"
                     "1: stm %1!, {r2, r3}\n\t"
                     : "=&l"(pc), "+l"(base)
                     :
                     : "r2", "r3", "memory");
    report("stm_partial", pc);
    sh_puts("stm_partial: base ");
    print_hex(base);
    sh_puts(", stored ");
    print_hex(*(volatile uint32_t *)0x20001FFCu);
    sh_puts("\n");

    /* POP and PUSH with SP next to the erroring word 0x20002000: SP comes back unchanged */
    uint32_t sp_after = 0;
    SP_TRANSFER("pop {r2, r3}", 0x20001FFC, pc, sp_after);
    report("pop_partial", pc);
    sh_puts("pop_partial: sp ");
    print_hex(sp_after);
    sh_puts("\n");
    SP_TRANSFER("push {r2, r3}", 0x20002004, pc, sp_after);
    report("push_partial", pc);
    sh_puts("push_partial: sp ");
    print_hex(sp_after);
    sh_puts("\n");

    sh_puts("faults done\n");
    return 0;
}

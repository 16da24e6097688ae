@ Interrupt-timing workload for the lock-step bench: the bench drives IRQ0..7 and NMI at random
@ cycles while this program computes, sleeps and pends interrupts itself. Nesting, tail chaining
@ and late arrival happen at cycle-exact moments, so only RTL-vs-ISS lock-step checks it (not QEMU).
@ Priorities: IRQ n has priority 3 - (n & 3); SysTick 2, PendSV 3, SVCall 1.

    .syntax unified
    .cpu cortex-m0
    .thumb

    .equ SRAM_TOP,  0x20004000
    .equ COUNTS,    0x20000000      @ one word per exception number 0..31
    .equ BUF,       0x20000100      @ 64-byte work buffer
    .equ ICSR,      0xE000ED04
    .equ SHPR2,     0xE000ED1C
    .equ SHPR3,     0xE000ED20
    .equ ISER,      0xE000E100
    .equ ISPR,      0xE000E200
    .equ IPR0,      0xE000E400
    .equ SYST_CSR,  0xE000E010
    .equ SYST_RVR,  0xE000E014
    .equ ITERATIONS, 700

    .section .vectors, "a"
    .word SRAM_TOP
    .word reset
    .word count_handler         @ NMI
    .word hard_fault
    .rept 7
    .word hard_fault
    .endr
    .word count_handler         @ SVCall
    .word hard_fault
    .word hard_fault
    .word count_handler         @ PendSV
    .word count_handler         @ SysTick
    .word irq_pend_other        @ IRQ0: pends IRQ4 (same priority: tail chain)
    .word irq_pend_urgent       @ IRQ1: pends IRQ3 (more urgent: nests)
    .word count_handler         @ IRQ2
    .word count_handler         @ IRQ3
    .word count_handler         @ IRQ4
    .word irq_pend_other        @ IRQ5: pends IRQ1 (both priority 2: tail chain)
    .word count_handler         @ IRQ6
    .word count_handler         @ IRQ7

    .text
    .thumb_func
reset:
    @ priorities: IRQ n -> 3 - (n & 3), in bits [7:6] of each byte
    ldr r0, =IPR0
    ldr r1, =0x004080C0
    str r1, [r0]
    str r1, [r0, #4]
    ldr r0, =SHPR2
    movs r1, #1
    lsls r1, r1, #30                @ SVCall priority 1
    str r1, [r0]
    ldr r0, =SHPR3
    ldr r1, =0x80C00000             @ SysTick 2, PendSV 3
    str r1, [r0]
    ldr r0, =ISER
    movs r1, #0xFF
    str r1, [r0]
    ldr r0, =SYST_RVR
    ldr r1, =997
    str r1, [r0]
    ldr r0, =SYST_CSR
    movs r1, #7                     @ ENABLE | TICKINT | CLKSOURCE
    str r1, [r0]

    movs r7, #0                     @ checksum
    ldr r6, =ITERATIONS
loop:
    @ arithmetic, memory and calls, so interrupts land on every kind of instruction
    ldr r4, =BUF
    adds r7, r7, r6
    muls r7, r6, r7
    eors r7, r7, r6
    str r7, [r4]
    strh r6, [r4, #4]
    strb r7, [r4, #7]
    ldr r0, [r4]
    ldrh r1, [r4, #4]
    movs r2, #7
    ldrsb r2, [r4, r2]
    adds r7, r7, r0
    subs r7, r7, r1
    adds r7, r7, r2
    push {r4-r7}
    stm r4!, {r0-r2}
    ldr r4, =BUF
    ldm r4!, {r0-r2}
    pop {r4-r7}
    bl leaf
    rors r7, r7, r6
    @ every 8th iteration: pend PendSV; every 16th: a masked window; every 32nd: sleep
    movs r0, #7
    tst r6, r0
    bne 1f
    ldr r0, =ICSR
    movs r1, #1
    lsls r1, r1, #28
    str r1, [r0]
1:  movs r0, #15
    tst r6, r0
    bne 2f
    cpsid i
    adds r7, r7, #3
    lsls r7, r7, #1
    nop
    cpsie i
2:  movs r0, #31
    tst r6, r0
    bne 3f
    wfi
3:  movs r0, #63
    tst r6, r0
    bne 4f
    svc #5
4:  subs r6, r6, #1
    bne loop

    cpsid i
    ldr r0, =SYST_CSR
    movs r1, #0
    str r1, [r0]
    movs r0, #4                     @ SYS_WRITE0
    adr r1, done_msg
    bkpt 0xab
    movs r0, #0x18                  @ SYS_EXIT
    ldr r1, =0x20026                @ ADP_Stopped_ApplicationExit
    bkpt 0xab
    b .

    .thumb_func
leaf:
    push {r4, lr}
    movs r4, #0x5A
    eors r7, r7, r4
    pop {r4, pc}

    @ Counts its exception number (IPSR) in COUNTS.
    .thumb_func
count_handler:
    mrs r0, ipsr
    lsls r0, r0, #2
    ldr r1, =COUNTS
    ldr r2, [r1, r0]
    adds r2, r2, #1
    str r2, [r1, r0]
    bx lr

    .thumb_func
irq_pend_other:
    push {lr}
    ldr r0, =ISPR
    mrs r1, ipsr
    cmp r1, #16
    beq 5f
    movs r2, #2                     @ IRQ5 pends IRQ1
    b 6f
5:  movs r2, #16                    @ IRQ0 pends IRQ4
6:  str r2, [r0]
    bl count_handler
    pop {pc}

    .thumb_func
irq_pend_urgent:
    push {lr}
    ldr r0, =ISPR
    movs r2, #8                     @ IRQ3: priority 0, preempts this handler at once
    str r2, [r0]
    bl count_handler
    pop {pc}

    .thumb_func
hard_fault:
    movs r0, #4
    adr r1, fault_msg
    bkpt 0xab
    movs r0, #0x18
    movs r1, #1                     @ not ApplicationExit: the run fails
    bkpt 0xab
    b .

    .align 2
done_msg:
    .asciz "irq_pins done\n"
    .align 2
fault_msg:
    .asciz "irq_pins: unexpected HardFault\n"
    .align 2
    .ltorg

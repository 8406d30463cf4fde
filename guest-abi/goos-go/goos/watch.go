//go:build tamago && riscv64

package goos

import "unsafe"

// An M the runtime parks waits in runtime.semasleep(-1), spinning until its M's waitsemacount is
// not zero (semawakeup adds 1), with no hook this package could take. What a tick sees of it:
// the interrupted pc is in semasleep, and ra is not (the untimed wait calls nothing, so ra still
// returns to notesleep or lock2; the timed one calls Nanotime in its loop, and its callers,
// notetsleep_internal, must see their timeouts, so they are left running). The count's address
// is g.m + the offset semasleep itself adds to g.m, read from its first instructions:
//
//	ld   rX, M(rG)      // gp.m (M: the offset of g.m)
//	addi rY, rX, W      // &gp.m.waitsemacount
//
// A count of 0 at a pc in semasleep also holds right after the M took the count (its sc.w
// succeeded) and before it returns: from each sc.w up to the ret after it, the M is taken as
// running (decodeAcquired).
//
// The functions come from the runtime's own function table (runtime.pclntab, whose header the
// magic number dates). When any of this is not as expected, Ms still share vCPUs, in turn at each
// tick, but a parked one keeps its share of a vCPU, spinning, as it would with no sharing.

const pclntabMagic = 0xfffffff1 // Go 1.20 and later

type textRange struct{ lo, hi uintptr }

var (
	semasleepText, notetsleepText textRange
	acquired                      [4]textRange // in semasleep: after an sc.w, to its ret
	gmOff, semOff                 uintptr
	watchOK                       bool // else no thread is ever taken as parked
)

//go:nosplit
func (r textRange) has(pc uintptr) bool { return pc >= r.lo && pc < r.hi }

// watchInit runs in the first Task, before the new M exists.
func watchInit() {
	var ok bool
	if semasleepText, ok = funcText("runtime.semasleep"); !ok {
		return
	}
	if notetsleepText, ok = funcText("runtime.notetsleep_internal"); !ok {
		return
	}
	gmOff, semOff, ok = decodeSem(semasleepText)
	watchOK = ok && decodeAcquired(semasleepText)
}

// watchCheck: the first M's g0 must point at the M where semasleep takes g.m from.
func watchCheck(mp, g0 uintptr) {
	if watchOK && *(*uintptr)(unsafe.Pointer(g0 + gmOff)) != mp {
		watchOK = false
	}
}

// watchSem is the semaphore count t waits on, if t is parked in semasleep's untimed wait; else 0.
//
//go:nosplit
func watchSem(t *thread) uintptr {
	if !watchOK || !semasleepText.has(uintptr(t.regs[0])) {
		return 0
	}
	ra := uintptr(t.regs[1])
	if semasleepText.has(ra) || notetsleepText.has(ra) {
		return 0
	}
	for _, r := range acquired {
		if r.has(uintptr(t.regs[0])) {
			return 0
		}
	}
	g := uintptr(t.regs[27])
	if g == 0 {
		return 0
	}
	m := *(*uintptr)(unsafe.Pointer(g + gmOff))
	if m == 0 {
		return 0
	}
	return m + semOff
}

// funcText finds function name in the runtime's function table: [entry, next function's entry).
func funcText(name string) (textRange, bool) {
	h := pclntabAddr()
	if *(*uint32)(unsafe.Pointer(h)) != pclntabMagic || *(*uint8)(unsafe.Pointer(h + 7)) != 8 {
		return textRange{}, false
	}
	word := func(i uintptr) uintptr { return *(*uintptr)(unsafe.Pointer(h + 8 + 8*i)) }
	nfunc := word(0)
	names := h + word(3) // funcnameOffset
	ftab := h + word(7)  // pclnOffset: functab, then the _func records
	text := textAddr()
	for i := uintptr(0); i < nfunc; i++ {
		e := ftab + 8*i
		f := ftab + uintptr(*(*uint32)(unsafe.Pointer(e + 4)))
		nameOff := *(*int32)(unsafe.Pointer(f + 4))
		if cstringIs(names+uintptr(nameOff), name) {
			lo := text + uintptr(*(*uint32)(unsafe.Pointer(e)))
			hi := text + uintptr(*(*uint32)(unsafe.Pointer(e + 8)))
			return textRange{lo, hi}, hi > lo
		}
	}
	return textRange{}, false
}

func cstringIs(p uintptr, s string) bool {
	for i := 0; i < len(s); i++ {
		if *(*byte)(unsafe.Pointer(p + uintptr(i))) != s[i] {
			return false
		}
	}
	return *(*byte)(unsafe.Pointer(p + uintptr(len(s)))) == 0
}

// decodeSem reads semasleep's first instructions for the ld of g.m and the addi after it that
// makes &m.waitsemacount (compressed c.ld accepted for the first).
func decodeSem(r textRange) (gm, sem uintptr, ok bool) {
	ldReg := -1
	for pc := r.lo; pc < r.hi && pc < r.lo+64; {
		lo := uint32(*(*uint16)(unsafe.Pointer(pc)))
		if lo&3 != 3 {
			// c.ld rd', uimm(rs1'): quadrant 0, funct3 011
			if ldReg < 0 && lo&3 == 0 && lo>>13 == 3 {
				ldReg = int(8 + (lo>>2)&7)
				gm = uintptr((lo>>10)&7)<<3 | uintptr((lo>>5)&3)<<6
			}
			pc += 2
			continue
		}
		in := lo | uint32(*(*uint16)(unsafe.Pointer(pc + 2)))<<16
		op, rd, f3, rs1 := in&0x7f, int(in>>7)&31, (in>>12)&7, int(in>>15)&31
		imm := uintptr(int32(in) >> 20)
		switch {
		case ldReg < 0 && op == 0x03 && f3 == 3: // ld
			ldReg, gm = rd, imm
		case ldReg >= 0 && op == 0x13 && f3 == 0 && rs1 == ldReg: // addi
			sem = imm
			return gm, sem, gm != 0 && gm < 256 && gm%8 == 0 && sem < 8192 && sem%4 == 0
		}
		pc += 4
	}
	return 0, 0, false
}

// decodeAcquired fills acquired: for each sc.w in r, (sc.w, the ret after it].
func decodeAcquired(r textRange) bool {
	n := 0
	for pc := r.lo; pc < r.hi; {
		in := uint32(*(*uint16)(unsafe.Pointer(pc)))
		size := uintptr(2)
		if in&3 == 3 {
			in |= uint32(*(*uint16)(unsafe.Pointer(pc + 2))) << 16
			size = 4
		}
		if in&0x7f == 0x2f && (in>>12)&7 == 2 && in>>27 == 3 { // sc.w
			if n == len(acquired) || n > 0 && acquired[n-1].hi == 0 {
				return false
			}
			acquired[n].lo = pc + size
			n++
		}
		if n > 0 && acquired[n-1].hi == 0 && (in == 0x00008067 || in == 0x8082) { // ret
			acquired[n-1].hi = pc + size
		}
		pc += size
	}
	return n > 0 && acquired[n-1].hi != 0
}

// defined in goos_riscv64.s: runtime.pclntab and runtime.text, which the linker defines
func pclntabAddr() uintptr
func textAddr() uintptr

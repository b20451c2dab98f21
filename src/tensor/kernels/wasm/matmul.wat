;; fluxion's float64 matrix-product micro-kernel, WebAssembly with 128-bit SIMD (f64x2).
;;
;; Assembled at build time by scripts/build-wasm.ts (wabt) into matmul-bytes.ts; a test checks
;; that the committed bytes are this file's assembly. The host (gemm-wasm.ts) puts the operands
;; into this module's memory:
;;
;;   A: strided. Entry (r, p) of a block of 4 rows is at `a + r·rs + p·ps` (bytes): rows
;;      interleaved along k as the JavaScript kernel packs them (gemm.ts; rs = 8, ps = 32,
;;      32 bytes per step of k), or — where op(A)'s rows are evenly spaced, as in a row-major
;;      or transposed matrix — A as stored, copied in whole (rs, ps = its strides).
;;   B: panels of 4 columns: b[0][4j] b[0][4j+1] b[0][4j+2] b[0][4j+3] b[1][4j] ... packed as
;;      the JavaScript kernel does, or by `packB` below when the columns are neighbours in B.
;;   C: row-major, `ldc` bytes per row, rows and columns padded to multiples of 4.
;;
;; Missing rows and columns (the padding) hold zeros or whatever follows the operand in
;; memory; they only reach entries of C that the host never reads.
;;
;; Each entry of C is summed in the order p = 0, 1, …, k−1, starting from +0, with a multiply
;; then an add (no fused multiply-add): the same operations in the same order as the JavaScript
;; kernel, so both give the same bits, NaN and ±∞ included. A k-block that continues an earlier
;; one (`accumulate` = 1) reloads the partial sums from C, which keeps that order.

(module
  ;; the host's memory, big enough for the operands and results (never grown: the host makes
  ;; a bigger one and instantiates the module again, see instance.ts)
  (import "env" "memory" (memory 1))

  ;; C[block] (+)= A-panels · B-panels over one k-block of `kc` steps.
  ;;   pa, pb       byte address of the first A (B) panel, at the block's first step of k
  ;;   panelA       bytes from one block of 4 rows of A to the next (32 · k when packed)
  ;;   panelBytes   bytes from one B panel to the next (32 · k: panels hold all of k)
  ;;   rs, ps       bytes from one row of A to the next in a block, and from step p to p + 1
  ;;   rowPanels    panels of A in the block (4 rows each); colPanels likewise for B
  ;;   pc, ldc      byte address of C[0][0] of the block, and bytes per row of C
  ;;   kc           steps of k in the block (≥ 1)
  ;;   accumulate   0: C = A·B (accumulators start at +0); 1: C += A·B (they start from C)
  ;; Loops: for each B panel (4 × kc doubles, kept in L1), for each A panel, the 4×4 micro-kernel.
  (func (export "gemm")
    (param $pa i32) (param $pb i32) (param $panelA i32) (param $panelBytes i32)
    (param $rowPanels i32) (param $colPanels i32)
    (param $pc i32) (param $ldc i32) (param $kc i32) (param $accumulate i32)
    (param $rs i32) (param $ps i32)
    (local $jp i32) (local $ip i32)
    (local $a i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $b i32) (local $bEnd i32) (local $c i32)
    ;; the 4×4 tile of C as 8 f64x2 accumulators: $rRlo = columns 0,1 of row R; $rRhi = 2,3
    (local $r0lo v128) (local $r0hi v128) (local $r1lo v128) (local $r1hi v128)
    (local $r2lo v128) (local $r2hi v128) (local $r3lo v128) (local $r3hi v128)
    (local $blo v128) (local $bhi v128) (local $ai v128)

    (local.set $jp (i32.const 0))
    (loop $columns
      (local.set $ip (i32.const 0))
      (loop $rows
        ;; one pointer per row of the A block (V8 keeps all four in registers)
        (local.set $a (i32.add (local.get $pa) (i32.mul (local.get $ip) (local.get $panelA))))
        (local.set $a1 (i32.add (local.get $a) (local.get $rs)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $rs)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $rs)))
        (local.set $b (i32.add (local.get $pb) (i32.mul (local.get $jp) (local.get $panelBytes))))
        (local.set $bEnd (i32.add (local.get $b) (i32.shl (local.get $kc) (i32.const 5))))
        ;; C tile: row 4·ip, column 4·jp (32 bytes)
        (local.set $c
          (i32.add (local.get $pc)
            (i32.add
              (i32.mul (i32.shl (local.get $ip) (i32.const 2)) (local.get $ldc))
              (i32.shl (local.get $jp) (i32.const 5)))))

        (if (local.get $accumulate)
          (then
            (local.set $r0lo (v128.load offset=0 (local.get $c)))
            (local.set $r0hi (v128.load offset=16 (local.get $c)))
            (local.set $c (i32.add (local.get $c) (local.get $ldc)))
            (local.set $r1lo (v128.load offset=0 (local.get $c)))
            (local.set $r1hi (v128.load offset=16 (local.get $c)))
            (local.set $c (i32.add (local.get $c) (local.get $ldc)))
            (local.set $r2lo (v128.load offset=0 (local.get $c)))
            (local.set $r2hi (v128.load offset=16 (local.get $c)))
            (local.set $c (i32.add (local.get $c) (local.get $ldc)))
            (local.set $r3lo (v128.load offset=0 (local.get $c)))
            (local.set $r3hi (v128.load offset=16 (local.get $c)))
            ;; back to row 0 of the tile for the stores
            (local.set $c
              (i32.sub (local.get $c) (i32.mul (local.get $ldc) (i32.const 3)))))
          (else
            (local.set $r0lo (f64x2.splat (f64.const 0)))
            (local.set $r0hi (local.get $r0lo))
            (local.set $r1lo (local.get $r0lo))
            (local.set $r1hi (local.get $r0lo))
            (local.set $r2lo (local.get $r0lo))
            (local.set $r2hi (local.get $r0lo))
            (local.set $r3lo (local.get $r0lo))
            (local.set $r3hi (local.get $r0lo))))

        ;; one step of k: 4 columns of B in 2 vectors, each of 4 entries of A broadcast,
        ;; 8 multiplies and 8 adds (16 multiply-adds of the tile)
        (loop $k
          (local.set $blo (v128.load offset=0 (local.get $b)))
          (local.set $bhi (v128.load offset=16 (local.get $b)))
          (local.set $ai (v128.load64_splat (local.get $a)))
          (local.set $r0lo (f64x2.add (local.get $r0lo) (f64x2.mul (local.get $ai) (local.get $blo))))
          (local.set $r0hi (f64x2.add (local.get $r0hi) (f64x2.mul (local.get $ai) (local.get $bhi))))
          (local.set $ai (v128.load64_splat (local.get $a1)))
          (local.set $r1lo (f64x2.add (local.get $r1lo) (f64x2.mul (local.get $ai) (local.get $blo))))
          (local.set $r1hi (f64x2.add (local.get $r1hi) (f64x2.mul (local.get $ai) (local.get $bhi))))
          (local.set $ai (v128.load64_splat (local.get $a2)))
          (local.set $r2lo (f64x2.add (local.get $r2lo) (f64x2.mul (local.get $ai) (local.get $blo))))
          (local.set $r2hi (f64x2.add (local.get $r2hi) (f64x2.mul (local.get $ai) (local.get $bhi))))
          (local.set $ai (v128.load64_splat (local.get $a3)))
          (local.set $r3lo (f64x2.add (local.get $r3lo) (f64x2.mul (local.get $ai) (local.get $blo))))
          (local.set $r3hi (f64x2.add (local.get $r3hi) (f64x2.mul (local.get $ai) (local.get $bhi))))
          (local.set $a (i32.add (local.get $a) (local.get $ps)))
          (local.set $a1 (i32.add (local.get $a1) (local.get $ps)))
          (local.set $a2 (i32.add (local.get $a2) (local.get $ps)))
          (local.set $a3 (i32.add (local.get $a3) (local.get $ps)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (br_if $k (i32.lt_u (local.get $b) (local.get $bEnd))))

        (v128.store offset=0 (local.get $c) (local.get $r0lo))
        (v128.store offset=16 (local.get $c) (local.get $r0hi))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store offset=0 (local.get $c) (local.get $r1lo))
        (v128.store offset=16 (local.get $c) (local.get $r1hi))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store offset=0 (local.get $c) (local.get $r2lo))
        (v128.store offset=16 (local.get $c) (local.get $r2hi))
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (v128.store offset=0 (local.get $c) (local.get $r3lo))
        (v128.store offset=16 (local.get $c) (local.get $r3hi))

        (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $ip) (local.get $rowPanels))))
      (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
      (br_if $columns (i32.lt_u (local.get $jp) (local.get $colPanels)))))

  ;; Packs B's panels from B as stored (copied in at `src`), for columns that are neighbours:
  ;; panel j, step p is the 32 bytes at src + 32·j + p·rowBytes. `panels` (≥ 1) panels of `k`
  ;; (≥ 1) steps go to `dst` one after another (the last may read past B's last column: padding).
  (func (export "packB")
    (param $src i32) (param $rowBytes i32) (param $k i32) (param $dst i32) (param $panels i32)
    (local $s i32) (local $p i32)
    (loop $panel
      (local.set $s (local.get $src))
      (local.set $p (local.get $k))
      (loop $step
        (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
        (local.set $s (i32.add (local.get $s) (local.get $rowBytes)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (br_if $step (local.get $p)))
      (local.set $src (i32.add (local.get $src) (i32.const 32)))
      (local.set $panels (i32.sub (local.get $panels) (i32.const 1)))
      (br_if $panel (local.get $panels)))))

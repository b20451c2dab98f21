;; fluxion's float32 matrix-product micro-kernel, WebAssembly with 128-bit SIMD (f32x4).
;;
;; Assembled at build time by scripts/build-wasm.ts (wabt) into matmul-f32-bytes.ts; a test
;; checks that the committed bytes are this file's assembly. The host (gemm-f32-wasm.ts) packs
;; the operands into this module's memory with gemm-f32.ts's `packF32`:
;;
;;   A: panels of 4 rows. Panel i holds rows 4i..4i+3 of op(A) interleaved along k:
;;      a[4i][0] a[4i+1][0] a[4i+2][0] a[4i+3][0] a[4i][1] ... — 16 bytes per step of k.
;;   B: panels of 8 columns: b[0][8j] … b[0][8j+7] b[1][8j] … — 32 bytes per step of k.
;;   C: row-major, `ldc` bytes per row, rows padded to a multiple of 4, columns of 8.
;;
;; Missing rows and columns are zero in the panels, and the host never reads their results.
;;
;; The micro-kernel is a 4×8 tile of C in eight f32x4 accumulators: per step of k, two loads
;; of B, four broadcasts of A, 8 multiplies and 8 adds (32 multiply-adds). With the two
;; vectors of B and the broadcast that makes 11 of the 16 SIMD registers (V8 keeps one for
;; itself); taller tiles (5 or 6 rows) spilled or ran slower when measured.
;;
;; Each entry of C is summed in the order p = 0, 1, …, k−1, starting from +0, with a float32
;; multiply then a float32 add (no fused multiply-add): the operations and order of the
;; JavaScript float32 kernel (gemm-f32.ts), so both give the same bits, NaN and ±∞ included.
;; A k-block that continues an earlier one (`accumulate` = 1) reloads the partial sums from C,
;; which keeps that order.

(module
  ;; grown by the host (memory.grow) to fit the panels and C
  (memory (export "memory") 1)

  ;; C[block] (+)= A-panels · B-panels over one k-block of `kc` steps.
  ;;   pa, pb       byte address of the first A (B) panel, at the block's first step of k
  ;;   panelA       bytes from one A panel to the next (16 · k: panels hold all of k)
  ;;   panelB       bytes from one B panel to the next (32 · k)
  ;;   rowPanels    panels of A in the block (4 rows each); colPanels of B (8 columns each)
  ;;   pc, ldc      byte address of C[0][0] of the block, and bytes per row of C
  ;;   kc           steps of k in the block (≥ 1)
  ;;   accumulate   0: C = A·B (accumulators start at +0); 1: C += A·B (they start from C)
  ;; Loops: for each B panel (8 × kc floats, kept in L1), for each A panel, the 4×8 tile.
  (func (export "gemm")
    (param $pa i32) (param $pb i32) (param $panelA i32) (param $panelB i32)
    (param $rowPanels i32) (param $colPanels i32)
    (param $pc i32) (param $ldc i32) (param $kc i32) (param $accumulate i32)
    (local $jp i32) (local $ip i32)
    (local $a i32) (local $b i32) (local $aEnd i32) (local $c i32)
    ;; the 4×8 tile of C: $rRlo = columns 0–3 of row R, $rRhi = columns 4–7
    (local $r0lo v128) (local $r0hi v128) (local $r1lo v128) (local $r1hi v128)
    (local $r2lo v128) (local $r2hi v128) (local $r3lo v128) (local $r3hi v128)
    (local $blo v128) (local $bhi v128) (local $ai v128)

    (local.set $jp (i32.const 0))
    (loop $columns
      (local.set $ip (i32.const 0))
      (loop $rows
        (local.set $a (i32.add (local.get $pa) (i32.mul (local.get $ip) (local.get $panelA))))
        (local.set $b (i32.add (local.get $pb) (i32.mul (local.get $jp) (local.get $panelB))))
        (local.set $aEnd (i32.add (local.get $a) (i32.shl (local.get $kc) (i32.const 4))))
        ;; C tile: row 4·ip, column 8·jp (32 bytes)
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
            (local.set $r0lo (f32x4.splat (f32.const 0)))
            (local.set $r0hi (local.get $r0lo))
            (local.set $r1lo (local.get $r0lo))
            (local.set $r1hi (local.get $r0lo))
            (local.set $r2lo (local.get $r0lo))
            (local.set $r2hi (local.get $r0lo))
            (local.set $r3lo (local.get $r0lo))
            (local.set $r3hi (local.get $r0lo))))

        ;; one step of k: 8 columns of B in 2 vectors, each of 4 entries of A broadcast
        (loop $k
          (local.set $blo (v128.load offset=0 (local.get $b)))
          (local.set $bhi (v128.load offset=16 (local.get $b)))
          (local.set $ai (v128.load32_splat offset=0 (local.get $a)))
          (local.set $r0lo (f32x4.add (local.get $r0lo) (f32x4.mul (local.get $ai) (local.get $blo))))
          (local.set $r0hi (f32x4.add (local.get $r0hi) (f32x4.mul (local.get $ai) (local.get $bhi))))
          (local.set $ai (v128.load32_splat offset=4 (local.get $a)))
          (local.set $r1lo (f32x4.add (local.get $r1lo) (f32x4.mul (local.get $ai) (local.get $blo))))
          (local.set $r1hi (f32x4.add (local.get $r1hi) (f32x4.mul (local.get $ai) (local.get $bhi))))
          (local.set $ai (v128.load32_splat offset=8 (local.get $a)))
          (local.set $r2lo (f32x4.add (local.get $r2lo) (f32x4.mul (local.get $ai) (local.get $blo))))
          (local.set $r2hi (f32x4.add (local.get $r2hi) (f32x4.mul (local.get $ai) (local.get $bhi))))
          (local.set $ai (v128.load32_splat offset=12 (local.get $a)))
          (local.set $r3lo (f32x4.add (local.get $r3lo) (f32x4.mul (local.get $ai) (local.get $blo))))
          (local.set $r3hi (f32x4.add (local.get $r3hi) (f32x4.mul (local.get $ai) (local.get $bhi))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (br_if $k (i32.lt_u (local.get $a) (local.get $aEnd))))

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
      (br_if $columns (i32.lt_u (local.get $jp) (local.get $colPanels))))))

;; A minimal wasi_snapshot_preview1 adapter for Go's wasip1 runtime inside a Weir component.
;;
;; Why not the stock reactor adapter: it allocates its state either through the module's
;; `cabi_realloc` (which re-enters Go during Go's runtime initialisation, a call Go cannot take)
;; or with memory.grow (pages Go's allocator then reuses, because Go assumes it owns all memory
;; past its data). This one keeps no state at all, so it allocates nothing.
;;
;; What Go gets: no arguments, no environment, no files; clocks and randomness from the host;
;; stdout and stderr become log lines (info and error); sleeping returns at once.
(module
  (import "env" "memory" (memory 0))
  (import "weir:function/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "now" (func $monotonic_now (result i64)))
  (import "wasi:clocks/wall-clock@0.2.0" "now" (func $wall_now (param i32)))
  (import "wasi:random/random@0.2.0" "get-random-u64" (func $random_u64 (result i64)))

  ;; Where wall-clock's result lands: inside Go's nil page (addresses below 4096), which Go never uses.
  (global $scratch i32 (i32.const 1024))

  (func (export "sched_yield") (result i32) (i32.const 0))
  (func (export "proc_exit") (param i32) (unreachable))

  (func (export "args_get") (param i32 i32) (result i32) (i32.const 0))
  (func (export "args_sizes_get") (param $count i32) (param $size i32) (result i32)
    (i32.store (local.get $count) (i32.const 0))
    (i32.store (local.get $size) (i32.const 0))
    (i32.const 0))
  (func (export "environ_get") (param i32 i32) (result i32) (i32.const 0))
  (func (export "environ_sizes_get") (param $count i32) (param $size i32) (result i32)
    (i32.store (local.get $count) (i32.const 0))
    (i32.store (local.get $size) (i32.const 0))
    (i32.const 0))

  ;; Clock 0 is real time, every other one monotonic; nanoseconds either way.
  (func (export "clock_time_get") (param $id i32) (param $precision i64) (param $out i32) (result i32)
    (if (i32.eqz (local.get $id))
      (then
        (call $wall_now (global.get $scratch))
        (i64.store (local.get $out)
          (i64.add
            (i64.mul (i64.load (global.get $scratch)) (i64.const 1000000000))
            (i64.extend_i32_u (i32.load offset=8 (global.get $scratch))))))
      (else (i64.store (local.get $out) (call $monotonic_now))))
    (i32.const 0))

  (func (export "random_get") (param $buf i32) (param $len i32) (result i32)
    (local $bits i64)
    (block $words_done
      (loop $words
        (br_if $words_done (i32.lt_u (local.get $len) (i32.const 8)))
        (i64.store (local.get $buf) (call $random_u64))
        (local.set $buf (i32.add (local.get $buf) (i32.const 8)))
        (local.set $len (i32.sub (local.get $len) (i32.const 8)))
        (br $words)))
    (local.set $bits (call $random_u64))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.eqz (local.get $len)))
        (i32.store8 (local.get $buf) (i32.wrap_i64 (local.get $bits)))
        (local.set $bits (i64.shr_u (local.get $bits) (i64.const 8)))
        (local.set $buf (i32.add (local.get $buf) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $bytes)))
    (i32.const 0))

  ;; No event ever fires: a sleep returns at once.
  (func (export "poll_oneoff") (param i32 i32 i32) (param $events i32) (result i32)
    (i32.store (local.get $events) (i32.const 0))
    (i32.const 0))

  ;; Each buffer written to stdout (fd 1) or stderr (fd 2) becomes one log line.
  (func (export "fd_write") (param $fd i32) (param $iovs i32) (param $count i32) (param $written i32) (result i32)
    (local $total i32)
    (local $len i32)
    (local $level i32)
    (local.set $level (select (i32.const 3) (i32.const 1) (i32.eq (local.get $fd) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $len (i32.load offset=4 (local.get $iovs)))
        (if (local.get $len)
          (then (call $log (local.get $level) (i32.load (local.get $iovs)) (local.get $len))))
        (local.set $total (i32.add (local.get $total) (local.get $len)))
        (local.set $iovs (i32.add (local.get $iovs) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $each)))
    (i32.store (local.get $written) (local.get $total))
    (i32.const 0))

  ;; No files: every descriptor is bad (errno 8, EBADF), which also ends Go's preopen scan.
  (func (export "fd_close") (param i32) (result i32) (i32.const 8))
  (func (export "fd_fdstat_get") (param i32 i32) (result i32) (i32.const 8))
  (func (export "fd_fdstat_set_flags") (param i32 i32) (result i32) (i32.const 8))
  (func (export "fd_prestat_get") (param i32 i32) (result i32) (i32.const 8))
  (func (export "fd_prestat_dir_name") (param i32 i32 i32) (result i32) (i32.const 8))
)

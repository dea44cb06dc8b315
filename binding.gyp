{
  "targets": [
    {
      "target_name": "line_kernel",
      "sources": ["src/ingest/native/line-kernel.c"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}

{
  "targets": [{
    "target_name": "blockio",
    "sources": ["blockio.c"],
    "cflags": ["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"]
  }]
}

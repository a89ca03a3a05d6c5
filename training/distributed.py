"""Data parallelism across the processes that `torchrun` starts: gloo on CPUs, NCCL on GPUs.

    torchrun --nproc_per_node=2 -m nmt.cli train CONFIG.yaml      # one machine, 2 processes
    torchrun --nnodes=2 --node_rank=N --rdzv_endpoint=HOST:PORT --nproc_per_node=8 -m nmt.cli train CONFIG.yaml

Every process computes the same epoch order and trains on its own share of the batches; gradients are
averaged by DistributedDataParallel. Rank 0 evaluates, writes checkpoints and logs, and broadcasts its
decisions (learning-rate scale, early stopping, elapsed time) so that all ranks stop together.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from nmt.training.torchrun import torchrun_world_size


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def device(self, device: torch.device) -> torch.device:
        """Each GPU process takes its own card."""
        return torch.device("cuda", self.local_rank) if device.type == "cuda" and self.size > 1 else device

    def broadcast(self, obj):
        """Rank 0's value of a small picklable object, on every rank."""
        if self.size == 1:
            return obj
        box = [obj]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, obj) -> list:
        """Every rank's value of a small picklable object, in rank order, on every rank."""
        if self.size == 1:
            return [obj]
        every: list = [None] * self.size
        dist.all_gather_object(every, obj)
        return every

    def broadcast_float(self, value: float) -> float:
        if self.size == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64)
        dist.broadcast(t, src=0)
        return float(t)

    def barrier(self) -> None:
        if self.size > 1:
            dist.barrier()

    def close(self) -> None:
        """Leave the process group once every rank is done with it."""
        if self.size > 1 and dist.is_initialized():
            self.barrier()
            dist.destroy_process_group()


def init_world(device_type: str) -> World:
    """Join the process group when started by torchrun (WORLD_SIZE > 1); otherwise a world of one."""
    size = torchrun_world_size()
    if size == 1:
        return World()
    backend = "nccl" if device_type == "cuda" else "gloo"
    dist.init_process_group(backend)
    return World(dist.get_rank(), size, int(os.environ.get("LOCAL_RANK", "0")))

"""Compiled plans: validated inputs turned into the arrays the engine reads."""

from hashshock.plan.compile import compile_plan, compile_plans
from hashshock.plan.model import EventPlan, Plan

__all__ = ["EventPlan", "Plan", "compile_plan", "compile_plans"]

import OddsBench

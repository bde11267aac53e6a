n >= 2 and len(Muon_pt) > 0 and Muon_pt[0] > 25 and sum(Muon_charge) == 1 or where(ok, max(Muon_pt), -1.0) // 2 % 3 < x <= 1e3 and not any(Muon_tight)

"""Algorithms over the graph: gaps (补链/强链/延链), target ranking (招商目标), element matching
across domains and chains (要素匹配), units. Matching never renders (that is viz's job)."""

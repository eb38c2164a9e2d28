package tokenize

// Byte-pair merging, counted rather than encoded: the number of tokens of a
// piece is the number of parts left when no adjacent pair of parts forms a
// token any more. Like tiktoken, each step merges the adjacent pair whose
// concatenation has the lowest rank, the leftmost one on a tie.

// smallPiece is the longest piece merged with tiktoken's own quadratic
// scan; longer pieces (long identifiers, base64, runs of one character)
// use a heap, which merges in the same order in O(n log n).
const smallPiece = 128

// noRank marks a pair of parts that is not a token.
const noRank = -1

// pieceTokens returns the number of tokens of one piece.
func (e *Encoder) pieceTokens(piece string) int {
	if len(piece) == 1 {
		return 1
	}
	if _, ok := e.ranks[piece]; ok {
		return 1
	}
	if len(piece) <= smallPiece {
		return e.mergeSmall(piece)
	}
	return e.mergeLarge(piece)
}

// rank returns the rank of b, or noRank.
func (e *Encoder) rank(b string) int {
	if r, ok := e.ranks[b]; ok {
		return r
	}
	return noRank
}

// mergeSmall is tiktoken's algorithm: parts are kept as an array of start
// offsets with the rank of each part joined to the next, and every step
// scans for the lowest rank.
func (e *Encoder) mergeSmall(piece string) int {
	var startBuf, rankBuf [smallPiece + 1]int
	n := len(piece)
	start, rank := startBuf[:n+1], rankBuf[:n+1]
	for i := range start {
		start[i] = i
		rank[i] = noRank
	}
	for i := 0; i+2 <= n; i++ {
		rank[i] = e.rank(piece[i : i+2])
	}
	// pairRank is the rank of part i joined to part i+1.
	pairRank := func(i int) int {
		if i+2 < len(start) {
			return e.rank(piece[start[i]:start[i+2]])
		}
		return noRank
	}
	for {
		best := -1
		for i := 0; i+1 < len(start); i++ {
			if rank[i] != noRank && (best < 0 || rank[i] < rank[best]) {
				best = i
			}
		}
		if best < 0 {
			return len(start) - 1
		}
		start = append(start[:best+1], start[best+2:]...)
		rank = append(rank[:best+1], rank[best+2:]...)
		rank[best] = pairRank(best)
		if best > 0 {
			rank[best-1] = pairRank(best - 1)
		}
	}
}

// mergeLarge merges in the same order as mergeSmall with a min-heap of
// (rank, start offset) keys over a linked list of parts. A part only grows,
// so the pair starting at a given offset never has the same rank twice: a
// heap entry whose rank differs from its part's current one is stale.
func (e *Encoder) mergeLarge(piece string) int {
	n := len(piece)
	next := make([]int32, n) // start of the following part, n for the last
	prev := make([]int32, n) // start of the preceding part, -1 for the first
	rank := make([]int32, n) // rank of the part joined to the next, or noRank
	alive := make([]bool, n)
	h := make(minHeap, 0, n)
	for i := range n {
		next[i], prev[i], alive[i] = int32(i+1), int32(i-1), true
		rank[i] = noRank
		if i+2 <= n {
			if r := e.rank(piece[i : i+2]); r != noRank {
				rank[i] = int32(r)
				h.push(key(r, i))
			}
		}
	}
	pairRank := func(i int32) int32 {
		j := next[i]
		if int(j) >= n {
			return noRank
		}
		return int32(e.rank(piece[i:next[j]]))
	}
	parts := n
	for len(h) > 0 {
		r, i := h.pop()
		if !alive[i] || rank[i] != r {
			continue
		}
		j := next[i]
		alive[j] = false
		next[i] = next[j]
		if int(next[j]) < n {
			prev[next[j]] = i
		}
		parts--
		rank[i] = pairRank(i)
		if rank[i] != noRank {
			h.push(key(int(rank[i]), int(i)))
		}
		if p := prev[i]; p >= 0 {
			rank[p] = pairRank(p)
			if rank[p] != noRank {
				h.push(key(int(rank[p]), int(p)))
			}
		}
	}
	return parts
}

// key orders heap entries by rank, then by start offset (leftmost first).
func key(rank, start int) uint64 { return uint64(rank)<<32 | uint64(start) }

// minHeap is a binary min-heap of keys.
type minHeap []uint64

func (h *minHeap) push(k uint64) {
	*h = append(*h, k)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent] <= s[i] {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

// pop removes the smallest key and returns its rank and start offset.
func (h *minHeap) pop() (int32, int32) {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(s) {
			break
		}
		if c+1 < len(s) && s[c+1] < s[c] {
			c++
		}
		if s[i] <= s[c] {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return int32(top >> 32), int32(top & 0xffffffff)
}

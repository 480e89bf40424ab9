// The reference's deeper segmentation (`Model.find_subs`, used by `apply(seg_deeper=True)`): a chunk is
// replaced by two lexicon chunks when some split has both parts ranked better than the chunk itself,
// and each part is tried once more (two levels, so at most four parts).
//
// Candidate splits are found the reference's way: c1 runs through the longest chunks that prefix the
// chunk minus its last character, then minus c1's last character, and so on down to one character;
// a split counts when the rest after c1 is itself a chunk. The split with the smallest
// (rank(c1), rank(c2)) is kept if max(rank(c1), rank(c2)) < rank(chunk).
//
// Complexity: O(m²) for a chunk of m bytes (m longest-prefix walks of at most m bytes).

import TesseraBPE

extension LiBModel {
    /// Appends the parts of chunk `text[start..<start+length]` (id `id`) after `level` rounds of splitting.
    func split(_ text: UnsafePointer<UInt8>, _ start: Int, _ length: Int, _ id: TokenID, level: Int,
               into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        let trie = self.trie
        var best: (first: Int32, second: Int32, firstLength: Int)?
        var prefix = length
        while true {
            // Drop the last character of the current prefix, then take the longest chunk within what is left.
            var cut = prefix - 1
            while cut > 0 && text[start + cut] & 0xC0 == 0x80 { cut -= 1 }
            let m = trie.longest(text + start, cut)
            prefix = m.length
            if prefix > 0 {
                let second = trie.lookup(text + start + prefix, length - prefix)
                if second >= 0 {
                    if let b = best {
                        if (m.handle, second) < (b.first, b.second) { best = (m.handle, second, prefix) }
                    } else {
                        best = (m.handle, second, prefix)
                    }
                }
            }
            if prefix == 0 || utf8Length(text[start]) == prefix { break }
        }
        if let b = best, max(b.first, b.second) < Int32(id) {
            if level == 1 {
                ids.append(TokenID(b.first)); spans?.pointee.append(b.firstLength)
                ids.append(TokenID(b.second)); spans?.pointee.append(length - b.firstLength)
            } else {
                split(text, start, b.firstLength, TokenID(b.first), level: level - 1, into: &ids, spans: spans)
                split(text, start + b.firstLength, length - b.firstLength, TokenID(b.second), level: level - 1,
                      into: &ids, spans: spans)
            }
            return
        }
        ids.append(id)
        spans?.pointee.append(length)
    }
}

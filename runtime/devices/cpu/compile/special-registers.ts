/**
 * JS expressions for PTX special registers inside a compiled kernel. Block-invariant values are
 * constants read once per call in the compile.ts prologue (not a property load per thread).
 */
export function specialRegister(name: string): string | undefined {
  switch (name) {
    case '%tid.x': return 'tx';
    case '%tid.y': return 'ty';
    case '%tid.z': return 'tz';
    case '%ntid.x': return 'ntx';
    case '%ntid.y': return 'nty';
    case '%ntid.z': return 'ntz';
    case '%ctaid.x': return 'CTX';
    case '%ctaid.y': return 'CTY';
    case '%ctaid.z': return 'CTZ';
    case '%nctaid.x': return 'NCX';
    case '%nctaid.y': return 'NCY';
    case '%nctaid.z': return 'NCZ';
    case '%laneid': return '(t & 31)';
    case '%warpid': return '(t >> 5)';
    case '%nwarpid': return 'NWARPS';
    case '%smid': return '0';
    case '%nsmid': return '1';
    case '%gridid': return '0';
    case '%lanemask_eq': return '(1 << (t & 31))';
    case '%lanemask_lt': return '((1 << (t & 31)) - 1)';
    case '%lanemask_le': return '(((2 << (t & 31)) - 1) | 0)';
    case '%lanemask_gt': return '(~((2 << (t & 31)) - 1))';
    case '%lanemask_ge': return '(~((1 << (t & 31)) - 1))';
    case '%clock': return 'M.clockLo()';
    case '%clock_hi': return 'M.clockHi()';
    case '%dynamic_smem_size': return 'DYNSH';
    case '%total_smem_size': return 'SHN';
    case '%aggr_smem_size': return 'SHN';
    case '%warpsz': return '32';
    case '%is_explicit_cluster': return '0';
    case '%cluster_nctarank': return '1';
    case '%cluster_ctarank': return '0';
    default:
      if (/^%(envreg\d+|pm\d+|pm\d+_64)$/.test(name)) return '0';
      if (/^%(clusterid|nclusterid|cluster_ctaid|cluster_nctaid)\.[xyz]$/.test(name)) return name.includes('nc') ? '1' : '0';
      return undefined;
  }
}

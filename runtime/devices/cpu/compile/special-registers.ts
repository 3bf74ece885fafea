/** JS expressions for PTX special registers inside a compiled kernel (see compile.ts prologue). */
export function specialRegister(name: string): string | undefined {
  switch (name) {
    case '%tid.x': return 'tx';
    case '%tid.y': return 'ty';
    case '%tid.z': return 'tz';
    case '%ntid.x': return 'ntx';
    case '%ntid.y': return 'nty';
    case '%ntid.z': return 'ntz';
    case '%ctaid.x': return 'E.cx';
    case '%ctaid.y': return 'E.cy';
    case '%ctaid.z': return 'E.cz';
    case '%nctaid.x': return 'E.gx';
    case '%nctaid.y': return 'E.gy';
    case '%nctaid.z': return 'E.gz';
    case '%laneid': return '(t & 31)';
    case '%warpid': return '(t >> 5)';
    case '%nwarpid': return 'E.nwarps';
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
    case '%dynamic_smem_size': return 'E.dynShared';
    case '%total_smem_size': return 'E.shSize';
    case '%aggr_smem_size': return 'E.shSize';
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

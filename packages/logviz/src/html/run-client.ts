// The script of a run's page (plain JS, inlined). It reads the data block, filters like logviz
// (filter.ts rowVisible, ported rule for rule), and draws only what is on screen: the space-time SVG and
// the per-peer table are both virtualised, so 100k events cost what one screen costs. Trace text reaches
// the DOM only through textContent and setAttribute of numbers: never innerHTML.
import { READ_JSON_BLOCK_JS } from "./escape.js";

export const RUN_CLIENT_JS = String.raw`(function(){
"use strict";
${READ_JSON_BLOCK_JS}
var D=readJsonBlock("data"),R=D.rows,M=D.msgs,B=D.bits,N=R.src.length,P=D.peers.length;
var ROLES=["none","follower","candidate","leader"],SVGNS="http://www.w3.org/2000/svg",TABLE_H=20,MAXI=Number.MAX_SAFE_INTEGER;
function $(id){return document.getElementById(id);}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e;}
function sv(tag,a){var e=document.createElementNS(SVGNS,tag);for(var k in a)e.setAttribute(k,String(a[k]));return e;}
var laneOf={};D.peers.forEach(function(p,i){laneOf[p]=i;});
// Each peer's role at each row (for the lanes), reset at each test's start; skipped when too big.
var roleAt=N*P<=20000000?new Uint8Array(N*P):null;
if(roleAt){var cur=new Uint8Array(P);for(var i=0;i<N;i++){if(R.flags[i]&B.testBegin)cur.fill(0);var s=R.src[i];if(s>=0&&R.role[i]>0&&laneOf[s]!==undefined)cur[laneOf[s]]=R.role[i];roleAt.set(cur,i*P);}}
// ---- filters: the rules of logviz's filter.ts ----
var F={term:null,test:"",topics:{show:[],hide:[]},ops:{show:[],hide:[]},hidePeers:{},roles:[]};
function parseTerm(s){s=s.trim();if(s==="")return null;var m=/^(\d{1,16})?(?:(\.\.|-)(\d{1,16})?)?$/.exec(s);
 if(!m||(m[1]===undefined&&m[3]===undefined)||(m[2]==="-"&&(m[1]===undefined||m[3]===undefined)))throw new Error('bad term "'+s+'": expected N or N..M (for example 3 or 3..5)');
 var lo=m[1]!==undefined?Number(m[1]):0,hi=m[2]===undefined?lo:m[3]!==undefined?Number(m[3]):MAXI;if(hi<lo)throw new Error('bad term "'+s+'": '+lo+" > "+hi);return{lo:lo,hi:hi};}
function parseShowHide(s,what){var show=[],hide=[];s.split(/\s+/).forEach(function(tok){if(tok==="")return;var neg=tok.charAt(0)==="-";
 tok.replace(/^[-+]/,"").split(",").forEach(function(n){n=n.trim();if(n==="")return;if(!/^[A-Za-z][A-Za-z0-9_]{0,23}$/.test(n))throw new Error("bad "+what+' "'+n+'"');(neg?hide:show).push(n);});});return{show:show,hide:hide};}
function compile(){var c={lo:F.term?F.term.lo:-1,hi:F.term?F.term.hi:MAXI,topicOk:null,opOk:null,peerOk:null,roleOk:null,testOk:null};
 if(F.topics.show.length||F.topics.hide.length){var js=F.topics.show.map(function(x){return x.toUpperCase();}),ig=F.topics.hide.map(function(x){return x.toUpperCase();});
  c.topicOk=D.topics.map(function(n,i){if(i===0)return true;n=n.toUpperCase();return(js.length===0||js.indexOf(n)>=0)&&ig.indexOf(n)<0;});}
 if(F.ops.show.length||F.ops.hide.length){var sh=F.ops.show.map(function(x){return x.toLowerCase();}),hd=F.ops.hide.map(function(x){return x.toLowerCase();});
  c.opOk=D.ops.map(function(n,i){if(i===0)return sh.length===0;n=n.toLowerCase();return(sh.length===0||sh.indexOf(n)>=0)&&hd.indexOf(n)<0;});}
 if(Object.keys(F.hidePeers).length)c.peerOk=function(p){return!F.hidePeers[p];};
 if(F.roles.length){c.roleOk=[false,false,false,false];F.roles.forEach(function(r){c.roleOk[ROLES.indexOf(r)]=true;});}
 if(F.test!==""){c.testOk=D.tests.map(function(n,i){return i>0&&n.indexOf(F.test)>=0;});}
 return c;}
function rowVisible(c,i){var term=R.term[i];if(term>=0&&(term<c.lo||term>c.hi))return false;if(c.testOk&&!c.testOk[R.test[i]])return false;
 var flags=R.flags[i],src=R.src[i];if(src===D.noPeer||(flags&B.pinned))return true;
 if(c.topicOk&&!c.topicOk[R.topic[i]])return false;if(c.opOk&&!c.opOk[R.op[i]])return false;
 if(c.peerOk){var p=src>=0?src:R.dst[i];if(p>=0&&!c.peerOk(p))return false;}
 if(c.roleOk&&src>=0&&!c.roleOk[R.role[i]])return false;return true;}
// ---- the visible rows and the messages placed on them ----
var vis=new Uint32Array(Math.max(1,N)),nVis=0,posOf=new Int32Array(Math.max(1,N)),cursor=0;
var placed=[],prefMax=new Float64Array(0);
function lowerBound(a,n,x){var lo=0,hi=n;while(lo<hi){var mid=(lo+hi)>>>1;if(a[mid]<x)lo=mid+1;else hi=mid;}return lo;}
function recompute(){var keep=nVis?vis[Math.min(cursor,nVis-1)]:0,c=compile();nVis=0;posOf.fill(-1);
 for(var i=0;i<N;i++)if(rowVisible(c,i)){posOf[i]=nVis;vis[nVis++]=i;}
 cursor=Math.min(lowerBound(vis,nVis,keep),Math.max(0,nVis-1));
 placed=[];for(var k=0;k<M.send.length;k++){var sp=posOf[M.send[k]];if(sp<0)continue;var st=M.status[k],ep=sp;
  if(st===0){ep=M.end[k]>=0?posOf[M.end[k]]:-1;if(ep<0)continue;}else if(st===1&&M.end[k]>=0&&posOf[M.end[k]]>=0)ep=posOf[M.end[k]];
  placed.push({k:k,s:sp,e:ep,st:st});}
 placed.sort(function(a,b){return a.s-b.s;});prefMax=new Float64Array(placed.length);var mx=-1;
 for(var j=0;j<placed.length;j++){mx=Math.max(mx,placed[j].e);prefMax[j]=mx;}
 matches=null;$("visible-count").textContent=String(nVis);$("arrow-count").textContent=String(placed.filter(function(p){return p.st===0;}).length);
 layout();}
// ---- search: the text as shown and the opcode (smart case, like logviz) ----
// searchText: the pattern in force. Enter in the box fires keydown and then change: the second must not
// search again (it would step past the first match).
var search=null,searchText="",matches=null;
function matchList(){if(matches||!search)return matches||[];matches=[];for(var p=0;p<nVis;p++){var r=vis[p];search.lastIndex=0;if(search.test(R.text[r])||search.test(D.ops[R.op[r]]||""))matches.push(p);}return matches;}
function searchNext(dir){var m=matchList();if(!search){return;}if(m.length===0){note("pattern not found",true);return;}
 var k=lowerBound(m,m.length,cursor+(dir>0?1:0));var t=dir>0?(k<m.length?m[k]:m[0]):(k>0?m[k-1]:m[m.length-1]);select(t,true);}
// ---- geometry ----
var rowH=16,laneW=110,dia=$("dia"),tbl=$("tbl"),svg=null;
function laneX(i){return 40+i*laneW+laneW/2;}
function layout(){$("dia-space").style.height=(nVis*rowH+40)+"px";$("dia-space").style.width=(P*laneW+80)+"px";
 $("tbl-rows").style.height=(nVis*TABLE_H)+"px";draw();}
function note(s,bad){var n=$("note");n.textContent=s;n.className=bad?"bad":"dim";}
// ---- the space-time diagram (only the rows on screen) ----
function draw(){drawDia();drawTable();drawDetail();}
function drawDia(){var h=dia.clientHeight,w=Math.max(dia.clientWidth,P*laneW+80),top=dia.scrollTop;
 var first=Math.max(0,Math.floor(top/rowH)-1),last=Math.min(nVis-1,Math.ceil((top+h)/rowH)+1);
 var g=sv("svg",{width:w,height:h,"class":"st"});g.style.top=top+"px";
 var defs=sv("defs",{});["req","rep","hot"].forEach(function(n){var m=sv("marker",{id:"ah-"+n,viewBox:"0 0 10 10",refX:9,refY:5,markerWidth:7,markerHeight:7,orient:"auto-start-reverse"});m.appendChild(sv("path",{d:"M0,0 L10,5 L0,10 z","class":"ah "+n}));defs.appendChild(m);});g.appendChild(defs);
 function y(p){return p*rowH+rowH/2-top;}
 var curRow=nVis?vis[cursor]:-1;
 var ms=matchList(),mset={};for(var a=lowerBound(ms,ms.length,first);a<ms.length&&ms[a]<=last;a++)mset[ms[a]]=1;
 for(var p=first;p<=last&&nVis;p++){var r=vis[p];var band=null;
  if(R.flags[r]&B.fail)band="fail";else if(p===cursor)band="sel";else if(mset[p])band="match";
  if(band)g.appendChild(sv("rect",{x:0,y:y(p)-rowH/2,width:w,height:rowH,"class":"band "+band}));}
 for(var i=0;i<P;i++){var x=laneX(i);g.appendChild(sv("line",{x1:x,y1:0,x2:x,y2:h,"class":"lane"}));
  if(roleAt&&nVis){var runStart=-1,runRole=0;for(var p2=first;p2<=last+1;p2++){var role=p2<=last?roleAt[vis[p2]*P+i]:0;
   if(role!==runRole){if(runRole>=2)g.appendChild(sv("line",{x1:x,y1:y(runStart)-rowH/2,x2:x,y2:y(p2-1)+rowH/2,"class":"lane "+ROLES[runRole]}));runStart=p2;runRole=role;}}}}
 // messages crossing the window
 var sel=null;if(curRow>=0){var mk=messageAtRow(curRow);if(mk>=0)sel=M.req[mk]>=0?M.req[mk]:mk;}
 var lo=lowerBound(prefMax,prefMax.length,first);
 for(var j=lo;j<placed.length;j++){var m=placed[j];if(m.s>last)break;if(m.e<first)continue;var k=m.k;
  var xa=laneOf[M.from[k]],xb=laneOf[M.to[k]];if(xa===undefined||xb===undefined)continue;xa=laneX(xa);xb=laneX(xb);
  var ex=M.req[k]>=0?M.req[k]:k,hot=sel!==null&&ex===sel,kind=M.reply[k]?"rep":"req",cls="arrow "+kind+(hot?" hot":"");
  if(m.st===0){g.appendChild(sv("line",{x1:xa,y1:y(m.s),x2:xb,y2:y(m.e),"class":cls+" delivered","marker-end":"url(#ah-"+(hot?"hot":kind)+")","data-msg":k}));}
  else{var xe=m.e===m.s?xa+(xb-xa)*0.35:xa+(xb-xa)*0.6,ye=y(m.e)+(m.e===m.s?rowH*0.4:0);
   g.appendChild(sv("line",{x1:xa,y1:y(m.s),x2:xe,y2:ye,"class":cls+(m.st===1?" lost":" stub"),"data-msg":k}));
   var t=sv("text",{x:xe,y:ye+4,"class":m.st===1?"x lost":"x stub","text-anchor":"middle"});t.textContent=m.st===1?"✕":"…";g.appendChild(t);}}
 // events on the lanes
 for(var p3=first;p3<=last&&nVis;p3++){var r3=vis[p3],s3=R.src[r3],li=s3>=0?laneOf[s3]:(s3===D.harness?laneOf[R.dst[r3]]:undefined);if(li===undefined)continue;
  var x3=laneX(li),y3=y(p3),mark=R.mark[r3];
  if(s3<0){g.appendChild(sv("rect",{x:x3-4,y:y3-4,width:8,height:8,"class":"ev harness"+(R.flags[r3]&B.fail?" fail":""),transform:"rotate(45 "+x3+" "+y3+")"}));continue;}
  if(mark&B.roleChange){var tt=sv("text",{x:x3,y:y3+4,"class":"role "+ROLES[R.role[r3]],"text-anchor":"middle"});tt.textContent=ROLES[R.role[r3]].charAt(0).toUpperCase();g.appendChild(tt);}
  else g.appendChild(sv("circle",{cx:x3,cy:y3,r:Math.min(4,Math.max(1.5,rowH/4)),"class":"ev"+(R.flags[r3]&B.send?" send":R.flags[r3]&B.recv?" recv":"")}));
  if(mark&B.termChange&&rowH>=8){var tl=sv("text",{x:x3+7,y:y3+4,"class":"termlabel"});tl.textContent="T"+R.term[r3];g.appendChild(tl);}}
 if(svg)dia.removeChild(svg);dia.appendChild(g);svg=g;
 var hd=$("dia-head");hd.textContent="";for(var i2=0;i2<P;i2++){var lab=el("span","lane-name","S"+D.peers[i2]);lab.style.left=(laneX(i2)-dia.scrollLeft-20)+"px";hd.appendChild(lab);}}
var rowMsg=null;function messageAtRow(r){if(!rowMsg){rowMsg=new Int32Array(Math.max(1,N)).fill(-1);for(var k=0;k<M.send.length;k++){rowMsg[M.send[k]]=k;if(M.end[k]>=0)rowMsg[M.end[k]]=k;}}return rowMsg[r];}
// ---- the per-peer table (only the rows on screen) ----
function fmtTime(t){return t===null?"":t<1e6?t.toFixed(1):(t/1000).toFixed(1)+"s";}
function drawTable(){var body=$("tbl-rows"),h=tbl.clientHeight,top=tbl.scrollTop;
 var first=Math.max(0,Math.floor(top/TABLE_H)-2),last=Math.min(nVis-1,Math.ceil((top+h)/TABLE_H)+2);body.textContent="";
 var ms=matchList(),mset={};for(var a=lowerBound(ms,ms.length,first);a<ms.length&&ms[a]<=last;a++)mset[ms[a]]=1;
 for(var p=first;p<=last&&nVis;p++){var r=vis[p],row=el("div","row"+(p===cursor?" sel":"")+(R.flags[r]&B.fail?" fail":"")+(mset[p]?" match":""));
  row.setAttribute("data-row",String(r));row.setAttribute("data-pos",String(p));row.style.top=(p*TABLE_H)+"px";
  row.appendChild(el("span","c t",fmtTime(R.t[r])));row.appendChild(el("span","c term",R.term[r]>=0?"T"+R.term[r]:""));
  row.appendChild(el("span","c topic",D.topics[R.topic[r]]||""));
  var s=R.src[r];if(s<0||(R.flags[r]&B.full)){var f=el("span","c full",R.text[r]);f.style.gridColumn="4 / span "+Math.max(1,P);row.appendChild(f);}
  else for(var i=0;i<P;i++){var c=el("span","c peer"+(R.role[r]===3?" leader":R.role[r]===2?" candidate":""),D.peers[i]===s?R.text[r]:"");c.title=D.peers[i]===s?R.text[r]:"";row.appendChild(c);}
  body.appendChild(row);}}
function drawDetail(){var d=$("detail");if(!nVis){d.textContent="(no rows match the filters)";return;}var r=vis[cursor];
 var parts=["row "+(r+1),fmtTime(R.t[r])+"ms",R.src[r]>=0?"S"+R.src[r]:R.src[r]===D.harness?"harness":"output",R.term[r]>=0?"term "+R.term[r]:"",R.role[r]?ROLES[R.role[r]]:"",D.topics[R.topic[r]]||"",D.ops[R.op[r]]||"",D.tests[R.test[r]]||""];
 d.textContent=parts.filter(Boolean).join("  ·  ")+"\n"+R.text[r];}
// ---- selection, scrolling, sync ----
function select(p,reveal){if(!nVis)return;cursor=Math.max(0,Math.min(nVis-1,p));if(reveal){var y=cursor*rowH;if(y<dia.scrollTop||y>dia.scrollTop+dia.clientHeight-rowH)dia.scrollTop=y-dia.clientHeight/2;
 var ty=cursor*TABLE_H;if(ty<tbl.scrollTop||ty>tbl.scrollTop+tbl.clientHeight-TABLE_H)tbl.scrollTop=ty-tbl.clientHeight/2;}draw();updateSearchStatus();}
// Each pane follows the other's scrolling (row for row); the echo of our own assignment is ignored.
// At its end a pane takes the other to its end: the panes show different numbers of rows, so row for
// row the table would stop short of the last rows (and of a failure there) when the diagram hits bottom.
// The target is clamped to what the pane can scroll, so an assignment always moves it and always echoes.
var ignore=null,pending=false;
function redraw(){if(pending)return;pending=true;requestAnimationFrame(function(){pending=false;draw();});}
function follow(src,dst,f){if(ignore===src)ignore=null;else{var sm=src.scrollHeight-src.clientHeight,dm=Math.max(0,dst.scrollHeight-dst.clientHeight);
 var t=Math.min(dm,sm>0&&src.scrollTop>=sm-1?dm:src.scrollTop*f);if(Math.abs(dst.scrollTop-t)>=1){ignore=dst;dst.scrollTop=t;}}redraw();}
dia.addEventListener("scroll",function(){follow(dia,tbl,TABLE_H/rowH);});
tbl.addEventListener("scroll",function(){follow(tbl,dia,rowH/TABLE_H);});
tbl.addEventListener("click",function(e){var t=e.target;while(t&&t!==tbl&&!(t.getAttribute&&t.getAttribute("data-pos")))t=t.parentNode;if(t&&t!==tbl)select(Number(t.getAttribute("data-pos")),false);});
dia.addEventListener("click",function(e){if(dragged)return;var rect=dia.getBoundingClientRect();select(Math.floor((e.clientY-rect.top+dia.scrollTop)/rowH),false);});
// pan by dragging, zoom with the buttons, +/- or Ctrl+wheel (the row under the pointer stays put)
var drag=null,dragged=false;
dia.addEventListener("pointerdown",function(e){drag={x:e.clientX,y:e.clientY,l:dia.scrollLeft,t:dia.scrollTop};dragged=false;});
window.addEventListener("pointermove",function(e){if(!drag)return;var dx=e.clientX-drag.x,dy=e.clientY-drag.y;if(Math.abs(dx)+Math.abs(dy)>3)dragged=true;dia.scrollLeft=drag.l-dx;dia.scrollTop=drag.t-dy;});
window.addEventListener("pointerup",function(){drag=null;});
function zoom(f,cy){var c=cy===undefined?dia.clientHeight/2:cy,at=(dia.scrollTop+c)/rowH;rowH=Math.max(1,Math.min(48,rowH*f));laneW=Math.max(40,Math.min(240,laneW*Math.sqrt(f)));layout();dia.scrollTop=at*rowH-c;draw();}
dia.addEventListener("wheel",function(e){if(!e.ctrlKey)return;e.preventDefault();var rect=dia.getBoundingClientRect();zoom(e.deltaY<0?1.25:0.8,e.clientY-rect.top);},{passive:false});
$("zoom-in").addEventListener("click",function(){zoom(1.25);});$("zoom-out").addEventListener("click",function(){zoom(0.8);});
// ---- controls ----
function applyFilters(){try{F.term=parseTerm($("f-term").value);F.topics=parseShowHide($("f-topic").value,"topic");F.ops=parseShowHide($("f-op").value,"op");F.test=$("f-test").value;
 F.roles=[];["leader","candidate","follower"].forEach(function(r){if($("f-role-"+r).checked)F.roles.push(r);});
 F.hidePeers={};D.peers.forEach(function(p){if(!$("f-peer-"+p).checked)F.hidePeers[p]=1;});note("",false);recompute();select(cursor,true);}catch(e){note(e.message,true);}}
function setSearch(){var s=$("f-search").value;if(s===searchText)return;searchText=s;matches=null;if(s===""){search=null;updateSearchStatus();draw();return;}
 try{search=new RegExp(s,/[A-Z]/.test(s)?"g":"gi");note("",false);}catch(e){search=null;note("bad pattern: "+e.message,true);}searchNext(1);updateSearchStatus();draw();}
function updateSearchStatus(){var st=$("search-status");if(!search){st.textContent="";return;}var m=matchList();var k=lowerBound(m,m.length,cursor);st.textContent=m.length===0?"no match":m[k]===cursor?"match "+(k+1)+" of "+m.length:m.length+" matches";}
function nextFailure(dir){for(var s=1;s<=nVis;s++){var p=((cursor+dir*s)%nVis+nVis)%nVis;if(R.flags[vis[p]]&B.fail){select(p,true);return;}}note("no failure or violation in the visible rows",true);}
var ctl=$("controls");
D.tests.forEach(function(t,i){if(i===0)return;var o=el("option","",t);o.value=t;$("f-test").appendChild(o);});
D.peers.forEach(function(p){var l=el("label","chk");var c=el("input");c.type="checkbox";c.checked=true;c.id="f-peer-"+p;l.appendChild(c);l.appendChild(document.createTextNode("S"+p));$("f-peers").appendChild(l);});
ctl.addEventListener("change",function(e){if(e.target.id!=="f-search")applyFilters();});
["f-term","f-topic","f-op"].forEach(function(id){$(id).addEventListener("keydown",function(e){if(e.key==="Enter")applyFilters();});});
$("f-search").addEventListener("keydown",function(e){if(e.key==="Enter"){if(search&&searchText===$("f-search").value)searchNext(e.shiftKey?-1:1);else setSearch();}});
$("f-search").addEventListener("change",setSearch);
$("f-clear").addEventListener("click",function(){["f-term","f-topic","f-op","f-search"].forEach(function(id){$(id).value="";});$("f-test").value="";
 document.querySelectorAll("#controls input[type=checkbox]").forEach(function(c){c.checked=c.id.indexOf("f-peer-")===0;});search=null;searchText="";applyFilters();});
document.addEventListener("keydown",function(e){var t=e.target;if(t&&(t.tagName==="INPUT"||t.tagName==="SELECT"))return;
 var k=e.key;if(k==="j"||k==="ArrowDown")select(cursor+1,true);else if(k==="k"||k==="ArrowUp")select(cursor-1,true);else if(k==="g"||k==="Home")select(0,true);else if(k==="G"||k==="End")select(nVis-1,true);
 else if(k==="n")searchNext(1);else if(k==="N")searchNext(-1);else if(k==="e")nextFailure(1);else if(k==="E")nextFailure(-1);else if(k==="+"||k==="=")zoom(1.25);else if(k==="-")zoom(0.8);
 else if(k==="/"){e.preventDefault();$("f-search").focus();}else return;e.preventDefault();});
// ---- the failure and its replay command ----
if(D.failure){var fb=$("failure");fb.hidden=false;$("failure-text").textContent=D.failure.text;$("failure-go").addEventListener("click",function(){var p=posOf[D.failure.row];if(p>=0)select(p,true);});}
if(D.replay){$("replay").hidden=false;$("replay-cmd").textContent=D.replay;}
$("source").textContent=D.source;$("total-count").textContent=String(N);
window.addEventListener("resize",function(){draw();});
recompute();
if(D.failure&&posOf[D.failure.row]>=0)select(posOf[D.failure.row],true);else draw();
document.body.setAttribute("data-ready","1");
})();`;

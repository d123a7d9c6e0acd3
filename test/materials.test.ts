import { materialsOf, classMaterials, materialAgreement, materialConflict, materialDecides } from '../server/pipeline/materials';

describe('materials', () => {
  test('names materials with their percentages and picks the chief one', () => {
    expect(materialsOf('boys t-shirts made of 30% cotton and 70% polyester')).toEqual({
      named: [
        { material: 'man-made fibres', percent: 70 },
        { material: 'cotton', percent: 30 },
      ],
      chief: 'man-made fibres',
    });
    expect(materialsOf('stainless steel bolts').chief).toBe('iron or steel');
    expect(materialsOf('wooden spoon and steel fork').chief).toBeUndefined();
    expect(materialsOf('pet toys from china').named).toEqual([]);
  });

  test('longer names win over the words inside them', () => {
    expect(materialsOf('polyvinyl chloride film').named).toEqual([{ material: 'plastics' }]);
    expect(materialsOf('acrylic fibre sweater').named).toEqual([{ material: 'man-made fibres' }]);
  });

  test('subheading texts: covered and excluded materials', () => {
    const other = classMaterials('T-shirts, singlets and other vests; of textile materials (other than cotton), knitted or crocheted');
    expect([...other.covers]).toEqual([]);
    expect([...other.excludes]).toEqual(['cotton']);
    expect([...classMaterials('T-shirts, singlets and other vests; of cotton, knitted or crocheted').covers]).toEqual(['cotton']);
    const rubber = classMaterials('Rubber; vulcanised (other than hard rubber), articles n.e.c. in heading 4016');
    expect([...rubber.covers]).toEqual(['rubber']);
    expect([...rubber.excludes]).toEqual([]);
  });

  test('agreement: +1 same material, -1 excluded or other material, 0 when silent', () => {
    const cotton = materialsOf('100% cotton sweater');
    expect(materialAgreement(cotton, classMaterials('Jerseys; of cotton, knitted'))).toBe(1);
    expect(materialAgreement(cotton, classMaterials('Jerseys; of man-made fibres, knitted'))).toBe(-1);
    expect(materialAgreement(cotton, classMaterials('Vests; of textile materials (other than cotton)'))).toBe(-1);
    expect(materialAgreement(materialsOf('polyester vest'), classMaterials('Vests; of textile materials (other than cotton)'))).toBe(1);
    expect(materialAgreement(cotton, classMaterials('Sweaters, knitted'))).toBe(0);
    expect(materialAgreement(materialsOf('a sweater'), classMaterials('Jerseys; of cotton'))).toBe(0);
  });
});

describe('when the terms of a heading exclude goods of another material', () => {
  const cutlery = "Cutlery; other articles, (e.g. hair clippers, butchers' or kitchen cleavers, choppers and mincing knives, paper knives); manicure or pedicure sets and instruments";
  test('goods named after what they cut or hold do not name a material ("paper knives" are not of paper)', () => {
    expect(materialConflict(['aluminium'], cutlery)).toBeNull();
    expect(materialConflict(['plastics'], 'Tools, hand; spades, shovels, hoes, forks, rakes; axes, hedge shears, timber wedges and other tools used in agriculture')).toBeNull();
    // a material the terms do state still excludes
    expect(materialConflict(['plastics'], 'Table, kitchen, other household articles and parts, of iron or steel')).toMatch(/name goods of iron or steel/);
  });

  test('machines and instruments are classified by what they do, not by the material they work', () => {
    expect(materialDecides('8477')).toBe(false); // machinery for working rubber or plastics
    expect(materialDecides('8516')).toBe(false); // hand dryers, irons
    expect(materialDecides('9024')).toBe(false);
    expect(materialDecides('7323')).toBe(true);
    expect(materialDecides('2905')).toBe(false); // chemicals: their texts name polymers, not a material of goods
  });
});
